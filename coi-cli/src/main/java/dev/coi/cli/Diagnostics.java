package dev.coi.cli;

import dev.coi.api.CoiException;
import java.io.PrintStream;
import java.io.PrintWriter;

/**
 * What coi prints about itself besides its one-line errors: a stack trace only with {@code --debug}
 * or {@code COI_DEBUG} set, from whatever thread. An exception no code caught (in a relay thread,
 * say) is one line; so is a library's logged warning ({@link CliLoggerFinder}). With debugging on,
 * they keep their stack traces, and the libraries' debug messages are shown too.
 */
final class Diagnostics {
  private static volatile boolean debug = System.getenv("COI_DEBUG") != null;

  private Diagnostics() {}

  static boolean debug() {
    return debug;
  }

  static void debug(boolean on) {
    debug = on || System.getenv("COI_DEBUG") != null;
  }

  /** A command's failure: one line for the user; the stack trace only when debugging. */
  static void report(Exception e, PrintWriter err) {
    if (e instanceof CoiException) {
      err.println("coi: " + e.getMessage());
    } else {
      err.println("coi: internal error: " + e + " (run with --debug for details)");
    }
    if (debug) {
      e.printStackTrace(err);
    }
    err.flush();
  }

  /** Installs the handler of uncaught exceptions; for the CLI's main. */
  static void install() {
    Thread.setDefaultUncaughtExceptionHandler((thread, e) -> uncaught(thread, e, System.err));
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
}
