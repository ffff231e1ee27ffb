package dev.coi.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.text.MessageFormat;
import java.time.Instant;
import java.util.Locale;
import java.util.ResourceBundle;

/**
 * Where the libraries' {@link System.Logger} messages go in the CLI: one line on stderr for a
 * warning or worse ({@code coi: warning: <message>: <cause>}), never a stack trace unless {@code
 * --debug} (which also shows debug messages). Found by the JDK through {@link
 * java.util.ServiceLoader} on the first message, so a run that logs nothing loads nothing of it
 * (nor of {@code java.util.logging}, whose default handler prints a trace over several lines).
 */
public final class CliLoggerFinder extends System.LoggerFinder {
  @Override
  public System.Logger getLogger(String name, Module module) {
    return new OneLine(name);
  }

  /** One line per message. */
  static final class OneLine implements System.Logger {
    private final String name;

    OneLine(String name) {
      this.name = name;
    }

    @Override
    public String getName() {
      return name;
    }

    @Override
    public boolean isLoggable(Level level) {
      int floor = Diagnostics.debug() ? Level.DEBUG.getSeverity() : Level.WARNING.getSeverity();
      return level != Level.OFF && level.getSeverity() >= floor;
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
      if (isLoggable(level)) {
        System.err.print(format(level, msg, thrown));
        System.err.flush();
      }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
      if (isLoggable(level)) {
        String msg =
            params == null || params.length == 0 ? format : MessageFormat.format(format, params);
        log(level, bundle, msg, (Throwable) null);
      }
    }

    /**
     * {@code coi: warning: <message>: <cause>}, and the trace only when debugging. A debug message
     * says when it came, in milliseconds since the launch ({@code coi: [+212.4 ms] …}): with the
     * REST calls' own times, a timeline of where a command's time went.
     */
    static String format(Level level, String msg, Throwable thrown) {
      StringBuilder line = new StringBuilder("coi: ");
      if (level.getSeverity() < Level.INFO.getSeverity()) {
        line.append(String.format(Locale.ROOT, "[+%.1f ms] ", Launch.millisSince()));
      }
      line.append(level.getSeverity() >= Level.WARNING.getSeverity() ? "warning: " : "")
          .append(msg);
      if (thrown != null) {
        line.append(": ").append(thrown.getMessage());
      }
      line.append(System.lineSeparator());
      if (thrown != null && Diagnostics.debug()) {
        StringWriter trace = new StringWriter();
        thrown.printStackTrace(new PrintWriter(trace));
        line.append(trace);
      }
      return line.toString();
    }
  }

  /**
   * When this command was launched: the launcher's start, which it passes as {@code
   * COI_LAUNCHED_AT} (bash's {@code EPOCHREALTIME}, seconds since the epoch to the microsecond), so
   * that the bash and the JVM's own start count too; else the JVM's start. Read on the first debug
   * message only.
   */
  static final class Launch {
    private static final long ORIGIN_MICROS =
        originMicros(
            System.getenv("COI_LAUNCHED_AT"),
            ProcessHandle.current().info().startInstant().orElse(Instant.now()));

    private Launch() {}

    static double millisSince() {
      return (nowMicros() - ORIGIN_MICROS) / 1000.0;
    }

    /**
     * The launcher's time when it is a number (a comma for the point in some locales), else the
     * JVM's.
     */
    static long originMicros(String launchedAt, Instant jvmStart) {
      if (launchedAt != null) {
        try {
          return new BigDecimal(launchedAt.strip().replace(',', '.')).movePointRight(6).longValue();
        } catch (NumberFormatException notATime) {
          // Set by hand to something else: the JVM's start will do.
        }
      }
      return micros(jvmStart);
    }

    private static long nowMicros() {
      return micros(Instant.now());
    }

    private static long micros(Instant instant) {
      return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1000;
    }
  }
}
