package dev.coi.core.config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a workspace's own {@code .claude-on-incus.toml} may set. That file lies in the workspace,
 * which the agent in the container writes and a cloned repository ships, so it is hostile input:
 * unless the user trusts the workspace where the agent cannot write ({@code
 * security.trusted_workspaces} in the system or user file, or the environment), the file and every
 * profile in it may set only the keys of {@link #ALLOWED}, none of which reaches further on the
 * host: the image among those the user's own layers name, persistence, slots, {@code [agent]},
 * {@code [environment]}, and {@code [limits]} that lower what the user's layers give. Everything
 * else, including any key added later, is refused, with the file, line and key, before anything is
 * created.
 *
 * <p>Trust is an exact match of real paths: {@code /src/app} trusts neither {@code /src/app-evil}
 * nor {@code /src/app/sub}, and a link to a trusted directory is trusted as what it points to.
 */
final class WorkspacePolicy {
  /**
   * The keys an untrusted workspace's file may set: a key is here only because it cannot widen what
   * the container reaches on the host. Deny by default: a new key stays out until someone adds it
   * here on purpose (and to docs/CONFIGURATION.md).
   */
  static final Set<Key> ALLOWED =
      Collections.unmodifiableSet(
          EnumSet.of(
              Key.IMAGE, // among the images of ALLOWED_IMAGES, checked below
              Key.PERSISTENT,
              Key.SLOTS,
              Key.AGENT_COMMAND,
              Key.AGENT_ARGS,
              Key.AGENT_RESUME_FLAG,
              Key.AGENT_STATE_DIR,
              Key.NETWORK_MODE, // only narrowing, checked below (NetworkOrder)
              Key.NETWORK_ALLOW_CIDRS,
              Key.NETWORK_ALLOW_DOMAINS,
              Key.NETWORK_PORTS,
              Key.LIMITS_CPU, // only lowering, checked below
              Key.LIMITS_MEMORY,
              Key.LIMITS_PROCESSES));

  /** Keys that say what is trusted: only the top of the system or user file, or the environment. */
  static final Set<Key> TRUST_KEYS =
      Collections.unmodifiableSet(EnumSet.of(Key.TRUSTED_WORKSPACES, Key.ALLOWED_IMAGES));

  private static final Set<Key> LIMITS =
      EnumSet.of(Key.LIMITS_CPU, Key.LIMITS_MEMORY, Key.LIMITS_PROCESSES);

  private final Trust trust;
  private final Layer trusted;
  private final Map<String, Layer> trustedProfiles;
  private final Set<String> images;
  private final Optional<Path> trustFile;
  private final String howToTrust;

  /**
   * @param trust the workspace and whether it is trusted
   * @param layers the layers the agent cannot write, lowest first: built-ins, the system file, the
   *     user file, the environment
   * @param trustFile the file where the user would trust the workspace, for messages; empty when
   *     the loader reads neither a user nor a system file
   */
  WorkspacePolicy(Trust trust, List<Layer> layers, Optional<Path> trustFile) {
    this.trust = trust;
    Layer merged = Layer.EMPTY;
    Set<String> named = new LinkedHashSet<>();
    for (Layer layer : layers) {
      merged = layer.over(merged);
      imageOf(layer).ifPresent(named::add);
      layer.profiles().values().forEach(p -> imageOf(p).ifPresent(named::add));
    }
    Setting allowed = merged.values().get(Key.ALLOWED_IMAGES);
    if (allowed != null) {
      for (Object image : (List<?>) allowed.value()) {
        named.add((String) image);
      }
    }
    this.trusted = merged;
    this.trustedProfiles = merged.profiles();
    this.images = Collections.unmodifiableSet(named);
    this.trustFile = trustFile;
    this.howToTrust =
        "trust the workspace by adding "
            + ValueType.quote(trust.workspace().toString())
            + " to "
            + where(Key.TRUSTED_WORKSPACES);
  }

  /** "security.allowed_images in FILE", or the variable when there is no file. */
  private String where(Key key) {
    return trustFile.map(file -> key.dotted() + " in " + file).orElse(key.environmentVariable());
  }

  private static Optional<String> imageOf(Layer layer) {
    return Optional.ofNullable(layer.values().get(Key.IMAGE)).map(s -> (String) s.value());
  }

  Trust trust() {
    return trust;
  }

  /** "trust the workspace by adding "/src/app" to security.trusted_workspaces in FILE". */
  String howToTrust() {
    return howToTrust;
  }

  /** The images an untrusted workspace's file may choose. */
  Set<String> images() {
    return images;
  }

  /** Refuses a key (empty: a mount) an untrusted workspace's file may not set, before its value. */
  void checkKey(Optional<Key> key) {
    if (key.isEmpty() || !ALLOWED.contains(key.get())) {
      throw refused();
    }
  }

  /**
   * Refuses a value of an allowed key that would widen access: an image the user's layers do not
   * name, a limit above theirs.
   *
   * @param profile the profile the value is in, if any, whose user-side namesake sets the limit
   */
  void checkValue(Key key, Object value, Optional<String> profile) {
    if (key == Key.IMAGE && !images.contains((String) value)) {
      throw new ValueProblem(
          ValueType.quote((String) value)
              + " is not an image an untrusted workspace may choose (allowed: "
              + String.join(", ", images.stream().map(ValueType::quote).toList())
              + "): choose one of them, add it to "
              + where(Key.ALLOWED_IMAGES)
              + ", or "
              + howToTrust);
    }
    if (NetworkOrder.KEYS.contains(key)) {
      Layer context = profile.map(trustedProfiles::get).map(p -> p.over(trusted)).orElse(trusted);
      NetworkOrder.narrowing(key, value, context.values())
          .ifPresent(
              problem -> {
                throw new ValueProblem(
                    problem
                        + ": an untrusted workspace may only narrow the network, or "
                        + howToTrust);
              });
    }
    if (LIMITS.contains(key)) {
      Layer context = profile.map(trustedProfiles::get).map(p -> p.over(trusted)).orElse(trusted);
      Setting limit = context.values().get(key);
      if (limit == null) {
        return; // No limit below: any limit lowers it.
      }
      String against = ValueType.quote((String) limit.value()) + " (" + limit.origin() + ")";
      String problem;
      try {
        problem =
            LimitOrder.atMost(key, (String) value, (String) limit.value())
                ? null
                : " is above " + against + ": an untrusted workspace may only lower limits";
      } catch (ValueProblem incomparable) {
        problem =
            " cannot be checked against "
                + against
                + ": "
                + incomparable.getMessage()
                + "; an untrusted workspace may only lower limits";
      }
      if (problem != null) {
        throw new ValueProblem(
            ValueType.quote((String) value) + problem + ": lower it, or " + howToTrust);
      }
    }
  }

  /** Why a workspace file that is not a plain file is refused. */
  ValueProblem notAPlainFile(String what) {
    return new ValueProblem(
        "is "
            + what
            + ", and an untrusted workspace's config file must be a regular file: replace it, or "
            + howToTrust);
  }

  private ValueProblem refused() {
    return new ValueProblem(
        "is refused: "
            + trust.workspace()
            + " is not a trusted workspace, so its own file may not set it: remove it, or "
            + howToTrust);
  }

  /**
   * Whether a workspace is trusted by the layers the agent cannot write, and by which setting.
   *
   * @param by the origin of the {@code security.trusted_workspaces} that lists it; empty when not
   *     trusted
   */
  record Trust(Path workspace, Optional<String> by) {
    /** The workspace's trust as the trusted layers give it; links resolved on both sides. */
    static Trust of(Path workspace, Layer trusted) {
      Path real = realPath(workspace);
      Setting list = trusted.values().get(Key.TRUSTED_WORKSPACES);
      if (list != null) {
        for (Object entry : (List<?>) list.value()) {
          if (realPath((Path) entry).equals(real)) {
            return new Trust(real, Optional.of(list.origin()));
          }
        }
      }
      return new Trust(real, Optional.empty());
    }

    boolean trusted() {
      return by.isPresent();
    }

    /** One line for {@link Config#describe()}. */
    String describe() {
      if (trusted()) {
        return "workspace "
            + workspace
            + " is trusted (security.trusted_workspaces, "
            + by.get()
            + "): its "
            + ConfigLoader.PROJECT_FILE
            + " may set every key";
      }
      List<String> keys = new ArrayList<>();
      ALLOWED.forEach(k -> keys.add(k.dotted()));
      return "workspace "
          + workspace
          + " is not trusted: its "
          + ConfigLoader.PROJECT_FILE
          + " may set only [environment], "
          + String.join(", ", keys)
          + " (images the user's layers name, limits that lower theirs)";
    }

    /**
     * The path with every link resolved; a path that does not exist (yet) stays as written, so it
     * can match only a workspace of that very path.
     */
    private static Path realPath(Path path) {
      Path absolute = path.toAbsolutePath().normalize();
      try {
        return absolute.toRealPath();
      } catch (IOException e) {
        return absolute;
      }
    }
  }
}
