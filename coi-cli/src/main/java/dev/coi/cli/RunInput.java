package dev.coi.cli;

import dev.coi.api.CoiException;
import dev.coi.api.RunningCommand;
import dev.coi.api.Session;
import dev.coi.api.SessionSpec;
import dev.coi.api.Sessions;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.util.List;

/** What {@code coi run} gives its command to read: coi's piped input, or the user's terminal. */
final class RunInput {
  private RunInput() {}

  /**
   * Piped or redirected input ({@code echo x | coi run cat}) is passed on as it comes and ended
   * with it. A terminal's is not: a command that reads it would otherwise wait for keys the user
   * does not know it wants, so it gets none, as the Go tool's {@code run} gave none; {@code -t} is
   * for interactive programs.
   */
  static void feed(RunningCommand running) throws IOException {
    if (UserTerminal.stdinIsTerminal()) {
      running.stdin().close();
    } else {
      InputPump.start(new FileInputStream(FileDescriptor.in), running.stdin(), "coi-cli-stdin");
    }
  }

  /** {@code coi run -t}: the command on a pseudo-terminal wired to the user's. */
  static int onTerminal(SessionSpec spec, List<String> argv) {
    try (Session session = Sessions.start(spec)) {
      int exitCode;
      try (UserTerminal tty = UserTerminal.open()) {
        exitCode = TtyRelay.relay(tty, size -> session.exec(argv, size));
      }
      RunCommand.markArchiveRecordingComplete();
      return exitCode;
    } catch (IOException e) {
      throw new CoiException("lost the terminal's connection to the command: " + e.getMessage(), e);
    }
  }
}
