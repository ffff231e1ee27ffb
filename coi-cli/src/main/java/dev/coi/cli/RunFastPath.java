package dev.coi.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code coi run} without picocli: building the command tree (its 18 commands, the global options
 * copied into each, picocli's own converters, all by reflection, from classes no start-up cache can
 * hold) cost about 0.2 s of CPU of a 0.8 s {@code coi run true} (docs/BENCHMARKS.md, "Session 5").
 *
 * <p>It reads only the plain forms of a {@code run} command line: {@code coi [OPTION…] run
 * [OPTION…] [--] CMD…}, each option of {@link GlobalOptions} (and {@code -t}) once, written {@code
 * --name value}, {@code --name=value} or {@code -x value}. Anything else (help, a clustered or
 * attached short option, an option given twice or at both levels, an {@code @file}, a value that
 * starts with {@code -}, any value the options' converters refuse) is left to picocli, which then
 * parses the whole line and answers it, errors included, as it always did; {@code RunFastPathTest}
 * checks that every line read here gets the session picocli would give it.
 *
 * <pre>{@code
 * RunCommand run = RunFastPath.parse(args); // null: the line is picocli's to read
 * int exit = run != null ? RunFastPath.execute(run) : Coi.commandLine().execute(args);
 * }</pre>
 */
final class RunFastPath {
  /** The flags of {@link GlobalOptions} (and run's {@code --tty}), by their long names. */
  private static final Set<String> FLAGS =
      Set.of("--privileged", "--persistent", "--continue", "--quiet", "--debug");

  /** The options of {@link GlobalOptions} that take a value, by their long names. */
  private static final Set<String> VALUED =
      Set.of(
          "--workspace",
          "--slot",
          "--image",
          "--profile",
          "--env",
          "--storage",
          "--mount",
          "--network",
          "--format",
          "--resume");

  private static final Map<String, String> SHORT =
      Map.of("-w", "--workspace", "-e", "--env", "-q", "--quiet", "-t", "--tty");

  private RunFastPath() {}

  /**
   * The {@code run} command {@code args} ask for, its options set as picocli would set them, or
   * null when this line is picocli's to read.
   */
  static RunCommand parse(String[] args) {
    for (Object key : System.getProperties().keySet()) {
      if (key.toString().startsWith("picocli.")) {
        return null; // picocli's own switches (quotes, @files, …) change what it reads
      }
    }
    for (String arg : args) {
      if (arg.isEmpty() || arg.startsWith("@")) {
        return null;
      }
    }
    Set<String> commands = commands();
    if (commands == null) {
      return null;
    }
    GlobalOptions global = new GlobalOptions();
    RunCommand run = new RunCommand();
    Set<String> top = new HashSet<>();
    Set<String> seen = top;
    boolean inRun = false;
    int i = 0;
    try {
      while (i < args.length) {
        String arg = args[i];
        if (!arg.startsWith("-") || arg.equals("-")) {
          if (inRun || !arg.equals("run")) {
            break; // the command, or another command than run
          }
          inRun = true;
          seen = new HashSet<>();
          i++;
          continue;
        }
        if (arg.equals("--")) {
          if (!inRun) {
            return null; // a usage error for picocli to word
          }
          i++;
          break;
        }
        int eq = arg.startsWith("--") ? arg.indexOf('=') : -1;
        String name = eq >= 0 ? arg.substring(0, eq) : SHORT.getOrDefault(arg, arg);
        boolean flag = FLAGS.contains(name) || (inRun && name.equals("--tty"));
        if (!(flag || VALUED.contains(name)) || (flag && eq >= 0)) {
          return null;
        }
        boolean repeatable = name.equals("--env") || name.equals("--mount");
        boolean twice = !seen.add(name) && !repeatable;
        if (twice || (inRun && top.contains(name))) {
          return null; // picocli refuses some repeats and resets others between levels
        }
        if (flag) {
          setFlag(global, run, name);
          i++;
          continue;
        }
        String value;
        if (eq >= 0) {
          value = arg.substring(eq + 1);
          i++;
        } else if (name.equals("--resume")) {
          boolean id = i + 1 < args.length && GlobalOptions.ResumePreprocessor.isId(args[i + 1]);
          value = id ? args[i + 1] : dev.coi.api.SessionSpec.LATEST;
          i += id ? 2 : 1;
        } else if (i + 1 < args.length) {
          value = args[i + 1];
          i += 2;
        } else {
          return null;
        }
        if (value.isEmpty()
            || value.startsWith("-")
            || commands.contains(value) // picocli refuses a command's name as a value
            || !setValue(global, name, value)) {
          return null;
        }
      }
    } catch (RuntimeException refused) {
      return null; // a converter's refusal: picocli words it
    }
    if (!inRun || i >= args.length) {
      return null;
    }
    run.command = new ArrayList<>(List.of(args).subList(i, args.length));
    run.global = global;
    if (top.contains("--debug") || seen.contains("--debug")) {
      global.debug(true);
    }
    return run;
  }

  /** The words picocli takes for commands (built with the help text), or null without them. */
  private static Set<String> commands() {
    try (InputStream in = RunFastPath.class.getResourceAsStream(UsageFiles.COMMANDS)) {
      return in == null
          ? null
          : Set.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"));
    } catch (IOException e) {
      return null;
    }
  }

  /** Runs a command {@link #parse} read, with the errors reported as picocli's handler would. */
  static int execute(RunCommand run) {
    try {
      return run.call();
    } catch (Exception e) {
      Diagnostics.report(e, stderr());
      return ExitCodes.failureOf(run);
    }
  }

  /** Standard error in the encoding picocli writes it in: the terminal's, else the default. */
  private static PrintWriter stderr() {
    Charset charset = Charset.defaultCharset();
    String name = System.getProperty("sun.stderr.encoding");
    try {
      charset =
          name == null
              ? charset
              : Charset.forName(name.equalsIgnoreCase("cp65001") ? "UTF-8" : name);
    } catch (IllegalArgumentException unknown) {
      // picocli falls back to the default too
    }
    return new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.err, charset)), true);
  }

  private static void setFlag(GlobalOptions global, RunCommand run, String name) {
    switch (name) {
      case "--privileged" -> global.privileged = true;
      case "--persistent" -> global.persistent = true;
      case "--continue" -> global.continueLatest = true;
      case "--quiet" -> global.quiet = true;
      case "--tty" -> run.tty = true;
      default -> {
        // --debug: set once the whole line is read, as nothing else is set before then
      }
    }
  }

  /** False when the value is one only picocli reads (or refuses). */
  private static boolean setValue(GlobalOptions global, String name, String value) {
    switch (name) {
      case "--workspace" -> global.workspace = Path.of(value);
      case "--storage" -> global.storage = Path.of(value);
      case "--image" -> global.image = value;
      case "--profile" -> global.profile = value;
      case "--resume" -> global.resume = value;
      case "--slot" -> global.slot = new GlobalOptions.SlotConverter().convert(value);
      case "--mount" -> global.mounts.add(new GlobalOptions.MountConverter().convert(value));
      case "--network" -> global.network = new GlobalOptions.NetworkModeConverter().convert(value);
      case "--format" -> {
        if (!value.equals("text") && !value.equals("json")) {
          return false;
        }
        global.format = GlobalOptions.Format.valueOf(value);
      }
      default -> {
        int eq = value.indexOf('=');
        if (eq < 0) {
          return false;
        }
        String key = new GlobalOptions.EnvNameConverter().convert(value.substring(0, eq));
        global.environment.put(key, value.substring(eq + 1));
      }
    }
    return true;
  }
}
