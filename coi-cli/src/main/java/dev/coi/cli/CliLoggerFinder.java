package dev.coi.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.text.MessageFormat;
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

    /** {@code coi: warning: <message>: <cause>}, and the trace only when debugging. */
    static String format(Level level, String msg, Throwable thrown) {
      StringBuilder line =
          new StringBuilder("coi: ")
              .append(level.getSeverity() >= Level.WARNING.getSeverity() ? "warning: " : "")
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
}
