package dev.coi.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine;

/**
 * Answers {@code coi version} ({@code --version}, {@code -V}) and {@code coi --help} ({@code -h},
 * {@code help}) before anything else is loaded: building picocli's command tree by reflection costs
 * more than the whole rest of the answer (docs/BENCHMARKS.md, "CLI start-up"). The help is the text
 * {@link UsageFiles} rendered from that tree at build time, coloured when picocli would colour it.
 * Any other argument list goes to the command tree.
 */
final class QuickAnswers {
  private static final List<String> VERSION = List.of("version", "--version", "-V");
  private static final List<String> HELP = List.of("--help", "-h", "help");

  private QuickAnswers() {}

  /** True when it answered {@code args} on {@code out}; then coi exits with 0. */
  static boolean answer(String[] args, PrintStream out) {
    if (args.length == 1 && VERSION.contains(args[0])) {
      out.println(versionLine());
      out.flush();
      return true;
    }
    if (args.length == 1
        && HELP.contains(args[0])
        && System.getProperty("picocli.usage.width") == null) {
      String usage =
          resource(CommandLine.Help.Ansi.AUTO.enabled() ? UsageFiles.COLOURED : UsageFiles.PLAIN);
      if (usage != null) {
        out.print(usage);
        out.flush();
        return true;
      }
    }
    return false;
  }

  /** A text resource next to this class, or null when the build did not make it. */
  private static String resource(String name) {
    try (InputStream in = QuickAnswers.class.getResourceAsStream(name)) {
      return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    }
  }

  /** {@code coi 0.1.0 (Java 17.0.15)}. */
  static String versionLine() {
    return "coi " + version() + " (Java " + System.getProperty("java.version") + ")";
  }

  static String version() {
    Properties p = new Properties();
    try (InputStream in = QuickAnswers.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // A build without the resource still runs; it just cannot say its version.
    }
    return p.getProperty("version", "unknown");
  }
}
