package dev.coi.cli;

import dev.coi.api.CoiException;
import dev.coi.api.Mount;
import dev.coi.api.NetworkMode;
import dev.coi.api.NetworkPolicy;
import dev.coi.api.SessionSpec;
import dev.coi.api.Sessions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Stack;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The options the Go coi calls global, accepted before or after the command ({@code coi -w DIR run
 * …} and {@code coi run -w DIR …} alike): a mixin of the top command whose options every subcommand
 * inherits. Inherited options write to this one instance, so a command reads them with {@link
 * #of(CommandSpec)} wherever the user put them.
 *
 * <pre>{@code
 * SessionSpec spec = GlobalOptions.of(spec).sessionBuilder().awaitCleanup(false).build();
 * }</pre>
 */
final class GlobalOptions {
  /** The mixin's name on the top command. */
  static final String NAME = "global";

  /** What {@code --format} accepts: text for people, json for programs. */
  enum Format {
    text,
    json
  }

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      scope = ScopeType.INHERIT,
      description = "Show this help and exit.")
  boolean help;

  @Option(
      names = {"-w", "--workspace"},
      paramLabel = "DIR",
      scope = ScopeType.INHERIT,
      description = "Project directory mounted at /workspace (default: the current directory).")
  Path workspace;

  @Option(
      names = "--slot",
      paramLabel = "N",
      scope = ScopeType.INHERIT,
      converter = SlotConverter.class,
      description =
          "Slot to use, from 1 to the configured number of slots, 10 by default (default: the"
              + " lowest free one).")
  int slot;

  @Option(
      names = "--image",
      paramLabel = "ALIAS",
      scope = ScopeType.INHERIT,
      description = "Image alias (default: from the configuration, coi-sandbox).")
  String image;

  @Option(
      names = "--privileged",
      scope = ScopeType.INHERIT,
      description =
          "Start from the coi-privileged image (sudo, GitHub CLI, SSH client, your git identity);"
              + " the container itself stays unprivileged.")
  boolean privileged;

  @Option(
      names = "--persistent",
      scope = ScopeType.INHERIT,
      description = "Keep the container afterwards, for reuse (default: from the configuration).")
  boolean persistent;

  @Option(
      names = "--resume",
      paramLabel = "ID",
      arity = "0..1",
      scope = ScopeType.INHERIT,
      preprocessor = ResumePreprocessor.class,
      description =
          "Resume a saved session: the workspace's latest, or the one with this id (from 'coi list"
              + " --all').")
  String resume;

  @Option(
      names = "--continue",
      scope = ScopeType.INHERIT,
      description = "Resume the latest saved session of this workspace (same as --resume alone).")
  boolean continueLatest;

  @Option(
      names = "--profile",
      paramLabel = "NAME",
      scope = ScopeType.INHERIT,
      description = "Configuration profile to apply ([profiles.NAME] in a configuration file).")
  String profile;

  @Option(
      names = {"-e", "--env"},
      paramLabel = "KEY=VALUE",
      scope = ScopeType.INHERIT,
      converter = EnvNameConverter.class,
      description = "Environment variable for every process in the session; repeatable.")
  Map<String, String> environment = new LinkedHashMap<>();

  @Option(
      names = "--storage",
      paramLabel = "DIR",
      scope = ScopeType.INHERIT,
      description = "Host directory mounted at /storage (default: paths.storage_dir, if set).")
  Path storage;

  @Option(
      names = "--mount",
      paramLabel = "SRC:DST[:ro]",
      scope = ScopeType.INHERIT,
      converter = MountConverter.class,
      description =
          "Mount host directory SRC at DST in the container, read-only with ':ro'; repeatable.")
  List<Mount> mounts = new ArrayList<>();

  @Option(
      names = "--network",
      paramLabel = "MODE",
      scope = ScopeType.INHERIT,
      converter = NetworkModeConverter.class,
      description =
          "none, allowlist, restricted or open (default: network.mode, restricted); see"
              + " docs/SECURITY.md.")
  NetworkMode network;

  @Option(
      names = "--format",
      paramLabel = "text|json",
      scope = ScopeType.INHERIT,
      description = "Output of commands that print data: text (default) or json.")
  Format format = Format.text;

  @Option(
      names = {"-q", "--quiet"},
      scope = ScopeType.INHERIT,
      description = "Print no progress or informational messages; errors still show.")
  boolean quiet;

  /** On every command: {@code coi --debug run …} and {@code coi run --debug …} both work. */
  @Option(
      names = "--debug",
      scope = ScopeType.INHERIT,
      description =
          "Print stack traces, each REST call with its time, and the libraries' debug messages"
              + " (as COI_DEBUG=1 does).")
  void debug(boolean on) {
    Diagnostics.debug(on);
  }

  /** The global options of the command line {@code spec} belongs to. */
  static GlobalOptions of(CommandSpec spec) {
    return (GlobalOptions) spec.root().mixins().get(NAME).userObject();
  }

  boolean json() {
    return format == Format.json;
  }

  /** The workspace asked for, or the current directory. */
  Path workspace() {
    return workspace == null ? Path.of(".") : workspace;
  }

  /** A builder holding what the options ask for; what they leave out, the configuration decides. */
  SessionSpec.Builder sessionBuilder() {
    SessionSpec.Builder builder =
        Sessions.builder()
            .workspace(workspace())
            .slot(slot)
            .environment(environment)
            .addAllMounts(mounts);
    if (persistent) {
      // Without the flag, configuration decides.
      builder.persistent();
    }
    if (privileged) {
      builder.privileged();
    }
    if (image != null) {
      builder.image(image);
    }
    if (profile != null) {
      builder.profile(profile);
    }
    if (storage != null) {
      builder.storage(storage.toAbsolutePath());
    }
    if (network != null) {
      builder.network(NetworkPolicy.of(network));
    }
    if (resume != null) {
      builder.resume(resume);
    } else if (continueLatest) {
      builder.resumeLatest();
    }
    return builder;
  }

  /** A mode name, any case; anything else is a usage error naming the modes. */
  static final class NetworkModeConverter implements CommandLine.ITypeConverter<NetworkMode> {
    @Override
    public NetworkMode convert(String value) {
      try {
        return NetworkMode.parse(value);
      } catch (CoiException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** A slot is a number from 0 (any free one); the upper bound is the configuration's. */
  static final class SlotConverter implements CommandLine.ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      try {
        int slot = Integer.parseInt(value);
        if (slot >= 0) {
          return slot;
        }
      } catch (NumberFormatException notANumber) {
        // Reported below.
      }
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a slot: give a number from 1 (or 0 for the lowest free one)");
    }
  }

  /** An environment variable's name, checked here so that a bad one is a usage error. */
  static final class EnvNameConverter implements CommandLine.ITypeConverter<String> {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    @Override
    public String convert(String name) {
      if (!NAME.matcher(name).matches()) {
        throw new CommandLine.TypeConversionException(
            "'"
                + name
                + "' is not an environment variable name: give KEY=VALUE with a KEY of letters,"
                + " digits and '_'");
      }
      return name;
    }
  }

  /** {@code SRC:DST} or {@code SRC:DST:ro}; SRC relative to the current directory. */
  static final class MountConverter implements CommandLine.ITypeConverter<Mount> {
    @Override
    public Mount convert(String value) {
      String[] parts = value.split(":", -1);
      boolean shapeOk =
          (parts.length == 2 || (parts.length == 3 && parts[2].equals("ro")))
              && !parts[0].isEmpty()
              && parts[1].startsWith("/");
      if (!shapeOk) {
        throw new CommandLine.TypeConversionException(
            "'"
                + value
                + "' is not a mount: give SRC:DST or SRC:DST:ro, DST an absolute path in the"
                + " container");
      }
      Mount mount = Mount.of(Path.of(parts[0]).toAbsolutePath().normalize(), parts[1]);
      return parts.length == 3 ? mount.withReadOnly(true) : mount;
    }
  }

  /**
   * {@code --resume} alone is the latest session; {@code --resume=ID} takes its value, and {@code
   * --resume ID} takes the next argument only when it is a session id, so that {@code coi run
   * --resume ls} runs {@code ls}.
   */
  static final class ResumePreprocessor implements CommandLine.IParameterPreprocessor {
    private static final Pattern ID =
        Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    static boolean isId(String arg) {
      return ID.matcher(arg).matches();
    }

    @Override
    public boolean preprocess(
        Stack<String> args, CommandSpec commandSpec, ArgSpec argSpec, Map<String, Object> info) {
      // picocli gives the separator of an attached value ('='), and a blank one otherwise.
      boolean attached = !String.valueOf(info.get("separator")).isBlank();
      String value = SessionSpec.LATEST;
      if (!args.isEmpty() && (attached || isId(args.peek()))) {
        value = args.pop();
      }
      argSpec.setValue(value);
      return true;
    }
  }
}
