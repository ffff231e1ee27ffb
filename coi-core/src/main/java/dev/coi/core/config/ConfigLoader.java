package dev.coi.core.config;

import dev.coi.api.ConfigException;
import dev.coi.api.SessionSpec;
import dev.coi.api.value.ValueStyle;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.immutables.value.Value;

/**
 * Loads the {@link Config} of a workspace from its layers, lowest first: built-in defaults, the
 * system file, the user file, the workspace's {@code .claude-on-incus.toml}, the {@code
 * CLAUDE_ON_INCUS_*} environment variables, the chosen profile, then explicit settings. A key a
 * layer does not mention keeps the value from below. Missing files are skipped; a file that cannot
 * be read or parsed, an unknown key or a wrong type is a {@link ConfigException} naming the place.
 * The workspace's file is written by the agent: unless the system or user file or the environment
 * lists the workspace in {@code security.trusted_workspaces}, it may set only keys that cannot
 * widen access, and any other is a {@link ConfigException} (see docs/CONFIGURATION.md).
 *
 * <pre>{@code
 * Config config = ConfigLoader.standard().load(Path.of("/src/app"), "ci");
 *
 * // Tests and embedders give the sources themselves; nothing else is read.
 * ConfigLoader loader = ConfigLoader.builder()
 *     .userFile(dir.resolve("config.toml"))
 *     .environment(Map.of("CLAUDE_ON_INCUS_IMAGE", "coi-test-min"))
 *     .home(dir)
 *     .build();
 * }</pre>
 */
@Value.Immutable
@ValueStyle
public abstract class ConfigLoader {
  /** The system-wide file. */
  public static final Path SYSTEM_FILE = Path.of("/etc/claude-on-incus/config.toml");

  /** The name of the project file in a workspace. */
  public static final String PROJECT_FILE = ".claude-on-incus.toml";

  private static final String EXPLICIT = "flag or builder call";

  ConfigLoader() {}

  /** The system file to read, if any; {@link #SYSTEM_FILE} for {@link #standard()}. */
  public abstract Optional<Path> systemFile();

  /** The user's file to read, if any; {@link #userFile(Map, Path)} for {@link #standard()}. */
  public abstract Optional<Path> userFile();

  /** The environment, of which the {@code CLAUDE_ON_INCUS_*} variables are read. */
  // Redacted: the whole process environment, tokens included, must not reach a log via toString.
  @Value.Redacted
  public abstract Map<String, String> environment();

  /** The home directory: {@code ~} in paths, and the default sessions directory. */
  public abstract Path home();

  /** What a relative path in an environment variable is relative to; the current directory. */
  @Value.Default
  public Path workingDirectory() {
    return Path.of("").toAbsolutePath();
  }

  /** A builder with no files and an empty environment. */
  public static Builder builder() {
    return new Builder();
  }

  /** The loader of this process: the usual files, its environment and its user's home. */
  public static ConfigLoader standard() {
    Map<String, String> env = System.getenv();
    Path home = Path.of(System.getProperty("user.home"));
    return builder()
        .systemFile(SYSTEM_FILE)
        .userFile(userFile(env, home))
        .environment(env)
        .home(home)
        .build();
  }

  /**
   * The user's file: {@code $XDG_CONFIG_HOME/claude-on-incus/config.toml}, or under {@code
   * ~/.config} when the variable is unset or not absolute (as the XDG specification says).
   */
  public static Path userFile(Map<String, String> environment, Path home) {
    String xdg = environment.get("XDG_CONFIG_HOME");
    Path dir =
        xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
            ? Path.of(xdg)
            : home.resolve(".config");
    return dir.resolve("claude-on-incus").resolve("config.toml");
  }

  /** The configuration without a workspace (no project file) or a profile. */
  public Config load() {
    return load(Optional.empty(), Optional.empty(), Layer.EMPTY);
  }

  /** The configuration of a workspace, with its project file. */
  public Config load(Path workspace) {
    return load(Optional.of(workspace), Optional.empty(), Layer.EMPTY);
  }

  /** The configuration of a workspace with a profile applied. */
  public Config load(Path workspace, String profile) {
    return load(Optional.of(workspace), Optional.of(profile), Layer.EMPTY);
  }

  /**
   * The configuration a session spec runs with: its workspace's, its profile applied, and the
   * values the spec sets itself (image, container prefix, environment, storage directory,
   * persistence and privilege) over all of them.
   */
  public Config load(SessionSpec spec) {
    Layer.Builder explicit = Layer.builder();
    spec.image().ifPresent(image -> explicit.put(Key.IMAGE, new Setting(image, EXPLICIT)));
    spec.containerPrefix()
        .ifPresent(prefix -> explicit.put(Key.CONTAINER_PREFIX, new Setting(prefix, EXPLICIT)));
    spec.persistent().ifPresent(p -> explicit.put(Key.PERSISTENT, new Setting(p, EXPLICIT)));
    spec.privileged().ifPresent(p -> explicit.put(Key.PRIVILEGED, new Setting(p, EXPLICIT)));
    spec.storage()
        .ifPresent(
            dir ->
                explicit.put(
                    Key.STORAGE_DIR,
                    new Setting(workingDirectory().resolve(dir).normalize(), EXPLICIT)));
    spec.environment()
        .forEach((name, value) -> explicit.putEnvironment(name, new Setting(value, EXPLICIT)));
    return load(Optional.of(spec.workspace()), spec.profile(), explicit.build());
  }

  private Config load(Optional<Path> workspace, Optional<String> profile, Layer explicit) {
    List<Path> looked = new ArrayList<>();
    Layer builtIn = builtIn();
    Layer system = file(systemFile(), "system", looked, null);
    Layer user = file(userFile(), "user", looked, null);
    Layer environment =
        EnvironmentLayer.read(
            environment(), new ValueType.PathResolver(workingDirectory(), home()));
    // Trust comes only from what the agent cannot write: never from the workspace's own file.
    Layer trusted = environment.over(user.over(system.over(builtIn)));
    Optional<WorkspacePolicy.Trust> trust =
        workspace.map(ws -> WorkspacePolicy.Trust.of(ws, trusted));
    WorkspacePolicy untrusted =
        trust
            .filter(t -> !t.trusted())
            .map(
                t ->
                    new WorkspacePolicy(
                        t, List.of(builtIn, system, user, environment), trustFile()))
            .orElse(null);
    Layer project =
        file(
            trust.map(t -> t.workspace().resolve(PROJECT_FILE)),
            TomlLayer.PROJECT,
            looked,
            untrusted);
    Layer files = project.over(user.over(system));
    Layer merged = environment.over(files.over(builtIn));
    if (profile.isPresent()) {
      Layer chosen = files.profiles().get(profile.get());
      if (chosen == null) {
        throw unknownProfile(profile.get(), files, looked);
      }
      merged = chosen.over(merged);
    }
    return ConfigAssembly.of(explicit.over(merged), profile, files.profiles().keySet(), trust);
  }

  /** Where a user would trust a workspace: their own file, else the system one. */
  private Optional<Path> trustFile() {
    return userFile().or(this::systemFile);
  }

  private Layer file(
      Optional<Path> file, String kind, List<Path> looked, WorkspacePolicy untrusted) {
    if (file.isEmpty()) {
      return Layer.EMPTY;
    }
    looked.add(file.get());
    // A missing file is the usual case; a file that is there but unreadable is an error. In an
    // untrusted workspace a dangling link counts as there, to be refused rather than skipped (its
    // read does not follow it). Read at once rather than checked first: a workspace's file can be
    // another session's placeholder, made and removed as that session starts and ends (seen in
    // the soak, 4 sessions at once on one workspace: "cannot read project config file").
    try {
      return TomlLayer.read(file.get(), kind, home(), untrusted);
    } catch (ConfigException e) {
      if (e.getCause() instanceof NoSuchFileException) {
        return Layer.EMPTY;
      }
      throw e;
    }
  }

  private Layer builtIn() {
    ValueType.PathResolver paths = new ValueType.PathResolver(home(), home());
    Layer.Builder layer = Layer.builder();
    for (Key key : Key.values()) {
      Object value = key.defaultValue();
      if (value != null) {
        if (key.type() == ValueType.PATH) {
          value = paths.resolve((String) value);
        }
        layer.put(key, new Setting(value, "built-in default"));
      }
    }
    return layer.build();
  }

  private static ConfigException unknownProfile(String name, Layer files, List<Path> looked) {
    if (files.profiles().isEmpty()) {
      return new ConfigException(
          "unknown profile '"
              + name
              + "': no configuration file defines a profile (looked in "
              + (looked.isEmpty()
                  ? "no file"
                  : String.join(", ", looked.stream().map(Path::toString).toList()))
              + ")");
    }
    return new ConfigException(
        "unknown profile '"
            + name
            + "': known profiles are "
            + String.join(", ", new TreeSet<>(files.profiles().keySet())));
  }

  /** Builds a {@link ConfigLoader}. */
  public static class Builder extends ImmutableConfigLoader.Builder {
    Builder() {}
  }
}
