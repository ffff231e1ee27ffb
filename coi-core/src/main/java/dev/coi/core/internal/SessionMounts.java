package dev.coi.core.internal;

import dev.coi.api.InvalidSpecException;
import dev.coi.api.Mount;
import dev.coi.api.SessionSpec;
import dev.coi.core.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every host path a session mounts besides its agent state: the workspace at {@code /workspace},
 * storage at {@code /storage}, the spec's mounts and the configured {@code [[mounts]]}; checked
 * before anything is created. Each error is one line naming the mount, where it came from and the
 * fix. docs/CONFIGURATION.md lists the rules.
 */
final class SessionMounts {
  static final String WORKSPACE_TARGET = "/workspace";
  static final String STORAGE_TARGET = "/storage";

  /** Incus's data directory unless {@code INCUS_DIR} says otherwise, as the Incus tools read it. */
  static final Path INCUS_DIR = Path.of("/var/lib/incus");

  /** Targets that the container's own system needs, with everything below them. */
  private static final Pattern SYSTEM_TREE =
      Pattern.compile("/(proc|sys|dev|run|etc|usr|bin|sbin|boot|lib|lib32|lib64|libx32)(/.*)?");

  /** Targets that would hide most of the container, refused themselves but not what is below. */
  private static final Set<String> SYSTEM_ROOTS = Set.of("/", "/var", "/var/lib", "/home");

  private SessionMounts() {}

  /** One mount to be, with where it came from and what to change when it is wrong. */
  private record Planned(String kind, Mount mount, String origin, String change) {
    String label() {
      if (kind.equals("workspace")) {
        return "workspace " + mount.source();
      }
      return kind + " " + mount.source() + " at " + mount.target() + " (" + origin + ")";
    }

    InvalidSpecException error(String problem, String fix) {
      return new InvalidSpecException(label() + ": " + problem + ": " + fix);
    }
  }

  /** A target the engine itself mounts, which no other mount may take, nest in or contain. */
  private record Reserved(String target, String what) {}

  /**
   * The checked mounts, the workspace first, each source as a real path.
   *
   * @param workspace the workspace, already resolved to a real directory
   * @param home the user's home directory, which is never mounted whole
   * @param environment the environment, for {@code INCUS_DIR}
   */
  static List<Mount> plan(
      Path workspace, SessionSpec spec, Config config, Path home, Map<String, String> environment) {
    List<Planned> planned = new ArrayList<>();
    planned.add(
        new Planned(
            "workspace",
            Mount.of(workspace, WORKSPACE_TARGET),
            "workspace",
            "use a project directory as the workspace"));
    storage(spec, config).ifPresent(planned::add);
    Set<String> fromSpec = new HashSet<>();
    for (Mount mount : spec.mounts()) {
      planned.add(new Planned("mount", mount, "spec", "fix or remove this mount in the spec"));
      fromSpec.add(mount.target());
    }
    for (Mount mount : config.mounts()) {
      // The spec is the highest layer: its mount replaces a configured one at the same target.
      if (!fromSpec.contains(mount.target())) {
        String origin = config.originOf("mounts[" + mount.target() + "]").orElse("configuration");
        planned.add(new Planned("mount", mount, origin, "fix or remove this [[mounts]] entry"));
      }
    }

    List<Reserved> reserved =
        List.of(
            new Reserved(WORKSPACE_TARGET, "the workspace"),
            new Reserved(STORAGE_TARGET, "storage (--storage or paths.storage_dir)"),
            new Reserved(stateTarget(config), "the agent's state directory"));
    List<Forbidden> forbidden = forbidden(home, environment);
    List<Planned> checked = new ArrayList<>();
    List<Mount> mounts = new ArrayList<>();
    for (Planned p : planned) {
      checkTarget(p);
      Path source = checkSource(p, forbidden);
      checkOverlaps(p, reserved, checked);
      checked.add(p);
      mounts.add(Mount.of(source, p.mount().target()).withReadOnly(p.mount().readOnly()));
    }
    return mounts;
  }

  /**
   * The agent's state directory in the container: {@code agent.state_dir} with {@code ~} expanded.
   */
  static String stateTarget(Config config) {
    String dir = config.agent().stateDir();
    if (dir.equals("~") || dir.startsWith("~/")) {
      dir = SessionEnvironment.AGENT_HOME + dir.substring(1);
    }
    if (!dir.startsWith("/")) {
      throw new InvalidSpecException(
          "agent.state_dir " + dir + " is relative: give ~/... or an absolute path");
    }
    return Path.of(dir).normalize().toString();
  }

  /** Storage from the spec, else from the configuration. */
  private static Optional<Planned> storage(SessionSpec spec, Config config) {
    Optional<Path> dir =
        spec.storage()
            .map(p -> p.toAbsolutePath().normalize())
            .or(() -> config.paths().storageDir());
    String origin =
        spec.storage().isPresent()
            ? "--storage"
            : config.originOf("paths.storage_dir").orElse("configuration");
    return dir.map(
        source ->
            new Planned(
                "storage",
                Mount.of(source, STORAGE_TARGET),
                origin,
                "give an existing directory as --storage or paths.storage_dir"));
  }

  private static void checkTarget(Planned p) {
    String target = p.mount().target();
    String normal = Path.of(target).normalize().toString();
    if (!normal.equals(target)) {
      throw p.error("the target is not a normalized path", "write it as " + normal);
    }
    if (SYSTEM_ROOTS.contains(target) || SYSTEM_TREE.matcher(target).matches()) {
      throw p.error(
          "the target would hide a directory the container's system needs",
          "choose a target elsewhere, such as " + elsewhere(Path.of(target)));
    }
  }

  /** The source as a real path, once it exists, has the right type and is not too broad. */
  private static Path checkSource(Planned p, List<Forbidden> forbidden) {
    Path source = p.mount().source();
    if (!Files.exists(source)) {
      throw p.error("the source does not exist", "create it, or " + p.change());
    }
    boolean directoryOnly = !p.kind().equals("mount");
    if (directoryOnly ? !Files.isDirectory(source) : !isDirectoryOrFile(source)) {
      throw p.error(
          "the source is not a directory" + (directoryOnly ? "" : " or a regular file"),
          p.change());
    }
    Path real;
    try {
      real = source.toRealPath();
    } catch (IOException e) {
      throw p.error("the source cannot be read (" + e.getMessage() + ")", p.change());
    }
    for (Forbidden f : forbidden) {
      if (f.dir().startsWith(real)) {
        throw p.error(
            "the source is too broad: "
                + (real.equals(f.dir()) ? "it is " : "it contains ")
                + f.what(),
            p.kind().equals("workspace") ? p.change() : "mount a directory inside it instead");
      }
      if (f.insideToo() && real.startsWith(f.dir())) {
        throw p.error(
            "the source is inside " + f.what(), "never mount Incus's own data into a container");
      }
    }
    return real;
  }

  private static boolean isDirectoryOrFile(Path source) {
    return Files.isDirectory(source) || Files.isRegularFile(source);
  }

  private static void checkOverlaps(Planned p, List<Reserved> reserved, List<Planned> earlier) {
    Path target = Path.of(p.mount().target());
    for (Reserved r : reserved) {
      boolean own = p.kind().equals("workspace") && r.target().equals(WORKSPACE_TARGET);
      boolean storage = p.kind().equals("storage") && r.target().equals(STORAGE_TARGET);
      if (!own && !storage && overlap(target, Path.of(r.target()))) {
        throw p.error(
            "the target overlaps " + r.target() + ", reserved for " + r.what(),
            "choose a target outside it, such as " + elsewhere(target));
      }
    }
    for (Planned other : earlier) {
      Path taken = Path.of(other.mount().target());
      if (target.equals(taken)) {
        throw p.error(
            "the target is also the target of " + other.label(), "give each mount its own target");
      }
      if (overlap(target, taken)) {
        throw p.error(
            "the target overlaps " + other.label() + ": one would hide the other",
            "choose targets outside each other");
      }
    }
  }

  private static String elsewhere(Path target) {
    return target.getFileName() == null ? "/data" : "/mnt/" + target.getFileName();
  }

  private static boolean overlap(Path a, Path b) {
    return a.startsWith(b) || b.startsWith(a);
  }

  /** A host directory never mounted, nor any directory containing it; nor its inside. */
  private record Forbidden(Path dir, String what, boolean insideToo) {}

  /**
   * The whole filesystem, the user's home, and Incus's data directory ({@code /var/lib/incus} and
   * {@code $INCUS_DIR}), whose inside is refused as well: a container must not reach other
   * containers' disks or the daemon's database.
   */
  private static List<Forbidden> forbidden(Path home, Map<String, String> environment) {
    List<Forbidden> forbidden = new ArrayList<>();
    forbidden.add(new Forbidden(Path.of("/"), "the whole host filesystem", false));
    Path realHome = realOrSelf(home);
    forbidden.add(new Forbidden(realHome, "the home directory " + realHome, false));
    List<Path> incus = new ArrayList<>(List.of(INCUS_DIR));
    String custom = environment.get("INCUS_DIR");
    if (custom != null && !custom.isBlank() && Path.of(custom).isAbsolute()) {
      incus.add(Path.of(custom));
    }
    for (Path dir : incus) {
      Path real = realOrSelf(dir);
      forbidden.add(new Forbidden(real, "Incus's data directory " + real, true));
    }
    return forbidden;
  }

  private static Path realOrSelf(Path path) {
    try {
      return path.toRealPath();
    } catch (IOException e) {
      return path.toAbsolutePath().normalize();
    }
  }
}
