package dev.coi.cli;

import dev.coi.api.CoiException;
import dev.coi.api.TerminalSize;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jline.terminal.Attributes;
import org.jline.terminal.Attributes.ControlChar;
import org.jline.terminal.Attributes.InputFlag;
import org.jline.terminal.Attributes.LocalFlag;
import org.jline.terminal.Attributes.OutputFlag;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The user's terminal while a program in the container owns it: in raw mode (every key, Ctrl+C and
 * Ctrl+Z included, is a byte for that program, never a signal to coi), its size followed, and put
 * back as it was on every way out: {@link #close()}, an exception, SIGINT or SIGTERM to coi (JLine
 * restores it from a shutdown hook), the container vanishing.
 *
 * <pre>{@code
 * try (UserTerminal tty = UserTerminal.open()) {
 *   tty.onResize(command::resize);
 *   TtyRelay.relay(tty.input(), tty.output(), command);
 * }
 * }</pre>
 */
final class UserTerminal implements AutoCloseable {
  private final Terminal terminal;
  private final Attributes original;
  private final AtomicBoolean closed = new AtomicBoolean();

  private UserTerminal(Terminal terminal) {
    this.terminal = terminal;
    this.original = terminal.getAttributes();
  }

  /**
   * True when coi's stdin and stdout both are terminals, as for {@code docker run -t}; decided by
   * the JDK, without loading the native library.
   */
  static boolean available() {
    return System.console() != null;
  }

  /**
   * True when coi's standard input is a terminal (a user typing), not a pipe or a file. Read from
   * the kernel's own view of fd 0, so that {@code coi run}, which asks on every start, loads no
   * native library for it.
   */
  static boolean stdinIsTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/0")).toString();
      return target.startsWith("/dev/pts/")
          || target.startsWith("/dev/tty")
          || target.equals("/dev/console");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      // No /proc: trust the JDK, which says yes only when stdout is a terminal too.
      return available();
    }
  }

  /** The user's terminal, in raw mode; close it to put it back. */
  static UserTerminal open() {
    Terminal terminal;
    try {
      terminal =
          TerminalBuilder.builder()
              .system(true)
              .provider("jni")
              .dumb(false)
              // SIGINT and SIGWINCH come to this class's handlers; SIGTERM stays the JVM's, whose
              // shutdown hooks end the session and restore the terminal.
              .nativeSignals(true)
              .signalHandler(Terminal.SignalHandler.SIG_IGN)
              .build();
    } catch (IOException | RuntimeException e) {
      throw new CoiException(
          "cannot take over the terminal (" + e.getMessage() + "): run coi in a terminal", e);
    }
    UserTerminal tty = new UserTerminal(terminal);
    tty.enterRaw();
    // Sent from outside (kill -INT): end as Ctrl+C to coi always did, through the shutdown hooks
    // that end the session; the terminal is put back first so that the messages read well.
    terminal.handle(
        Terminal.Signal.INT,
        signal -> {
          tty.close();
          System.exit(ExitCodes.INTERRUPTED);
        });
    return tty;
  }

  /**
   * Raw as {@code cfmakeraw} makes it: no echo, no line editing, no signals from keys, no output
   * processing; reads return as soon as one byte is there.
   */
  private void enterRaw() {
    Attributes raw = new Attributes(original);
    raw.setLocalFlags(
        EnumSet.of(LocalFlag.ICANON, LocalFlag.ECHO, LocalFlag.ECHONL, LocalFlag.ISIG), false);
    raw.setLocalFlag(LocalFlag.IEXTEN, false);
    raw.setInputFlags(
        EnumSet.of(
            InputFlag.IXON,
            InputFlag.ICRNL,
            InputFlag.INLCR,
            InputFlag.IGNCR,
            InputFlag.BRKINT,
            InputFlag.ISTRIP,
            InputFlag.PARMRK,
            InputFlag.IGNBRK),
        false);
    raw.setOutputFlag(OutputFlag.OPOST, false);
    raw.setControlChar(ControlChar.VMIN, 1);
    raw.setControlChar(ControlChar.VTIME, 0);
    terminal.setAttributes(raw);
  }

  /** The window's size now; 80x24 when the terminal does not say. */
  TerminalSize size() {
    return sizeOf(terminal.getSize());
  }

  static TerminalSize sizeOf(Size size) {
    return TerminalSize.of(
        size.getColumns() > 0 ? size.getColumns() : 80, size.getRows() > 0 ? size.getRows() : 24);
  }

  /** Calls {@code listener} with the new size on every SIGWINCH. */
  void onResize(Consumer<TerminalSize> listener) {
    terminal.handle(Terminal.Signal.WINCH, signal -> listener.accept(size()));
  }

  /** The keys, as they are typed: unbuffered, a read returns what is there. */
  InputStream input() {
    return new FileInputStream(FileDescriptor.in);
  }

  /** The screen. */
  OutputStream output() {
    return new FileOutputStream(FileDescriptor.out);
  }

  /** Puts the terminal back as it was; safe to call twice and from a signal handler. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      terminal.setAttributes(original);
    } finally {
      try {
        // Also gives SIGINT and SIGWINCH back to the JVM.
        terminal.close();
      } catch (IOException e) {
        // The attributes are back; nothing else of the terminal matters to the user.
      }
    }
  }
}
