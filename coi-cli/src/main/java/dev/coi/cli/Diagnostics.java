package dev.coi.cli;

import java.io.PrintStream;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What coi prints about itself besides its one-line errors: a stack trace only with {@code --debug}
 * or {@code COI_DEBUG} set, from whatever thread. An exception no code caught (in a relay thread,
 * say) and a library's logged warning each become one line; with debugging on, they keep their
 * stack traces, and the library's debug messages are shown too.
 */
final class Diagnostics {
  private static volatile boolean debug = System.getenv("COI_DEBUG") != null;

  private Diagnostics() {}

  static boolean debug() {
    return debug;
  }

  static void debug(boolean on) {
    debug = on || System.getenv("COI_DEBUG") != null;
    configureLogging();
  }

  /** Installs the handler of uncaught exceptions and the log format; for the CLI's main. */
  static void install() {
    Thread.setDefaultUncaughtExceptionHandler((thread, e) -> uncaught(thread, e, System.err));
    configureLogging();
  }

  /** One line naming the thread and the error; the stack trace only when debugging. */
  static void uncaught(Thread thread, Throwable e, PrintStream err) {
    err.println(
        "coi: internal error in thread "
            + thread.getName()
            + ": "
            + e
            + (debug ? "" : " (run with --debug for details)"));
    if (debug) {
      e.printStackTrace(err);
    }
    err.flush();
  }

  /**
   * The JDK's default log handler prints a warning's stack trace over three lines and more; coi's
   * libraries log through {@link System.Logger}, which lands here.
   */
  private static void configureLogging() {
    Logger root = LogManager.getLogManager().getLogger("");
    for (java.util.logging.Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    ConsoleHandler console = new ConsoleHandler();
    console.setFormatter(new OneLine());
    Level level = debug ? Level.FINE : Level.WARNING;
    console.setLevel(level);
    root.setLevel(level);
    root.addHandler(console);
  }

  /** {@code coi: warning: <message>: <cause>}, and the trace only when debugging. */
  static final class OneLine extends Formatter {
    @Override
    public String format(LogRecord record) {
      StringBuilder line =
          new StringBuilder("coi: ")
              .append(record.getLevel().intValue() >= Level.WARNING.intValue() ? "warning: " : "")
              .append(formatMessage(record));
      Throwable thrown = record.getThrown();
      if (thrown != null) {
        line.append(": ").append(thrown.getMessage());
      }
      line.append(System.lineSeparator());
      if (thrown != null && debug) {
        java.io.StringWriter trace = new java.io.StringWriter();
        thrown.printStackTrace(new java.io.PrintWriter(trace));
        line.append(trace);
      }
      return line.toString();
    }
  }
}
