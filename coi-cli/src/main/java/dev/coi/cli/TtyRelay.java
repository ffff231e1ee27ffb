package dev.coi.cli;

import dev.coi.api.RunningCommand;
import dev.coi.api.TerminalSize;
import java.io.IOException;
import java.util.function.Function;

/**
 * A command on a pseudo-terminal in the container, wired to the user's terminal: keys in, screen
 * out, the window's size at start and on every resize. For {@code coi shell}, {@code coi attach}
 * and {@code coi run -t}.
 */
final class TtyRelay {
  private TtyRelay() {}

  /**
   * Starts the command at the terminal's size, relays until its screen ends, and returns its exit
   * code. The caller opens and closes the terminal, so that it is put back on every way out.
   */
  static int relay(UserTerminal tty, Function<TerminalSize, RunningCommand> start)
      throws IOException {
    TerminalSize initial = tty.size();
    try (RunningCommand command = start.apply(initial)) {
      tty.onResize(command::resize);
      // A resize between the first size and the handler would otherwise be missed.
      TerminalSize now = tty.size();
      if (!now.equals(initial)) {
        command.resize(now);
      }
      InputPump.start(tty.input(), command.stdin(), "coi-cli-keys");
      tty.screenInUse(true);
      OutputPump.copy(command.stdout(), tty.output());
      // The program's screen ended as it meant to end it.
      tty.screenInUse(false);
      return command.waitFor();
    }
  }
}
