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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jline.nativ.CLibrary;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The user's terminal while a program in the container owns it: in raw mode (every key, Ctrl+C and
 * Ctrl+Z included, is a byte for that program, never a signal to coi), its size followed, and put
 * back exactly as it was on every way out: {@link #close()}, an exception, SIGINT or SIGTERM to coi
 * (a shutdown hook), the container vanishing.
 *
 * <p>The terminal is driven through JLine's native library ({@code tcgetattr}, {@code tcsetattr},
 * {@code TIOCGWINSZ}), with no {@code stty} process. JLine's {@code Terminal} objects are not used:
 * they put back only the flags they model (the line speed came back as 0), from a shutdown hook of
 * their own that would race this one; the saved {@code termios} itself is put back here.
 *
 * <pre>{@code
 * try (UserTerminal tty = UserTerminal.open()) {
 *   TtyRelay.relay(tty, size -> session.attach(size));
 * }
 * }</pre>
 */
final class UserTerminal implements AutoCloseable {
  private static final int STDIN = 0;
  private static final int STDOUT = 1;

  // Linux's termios flags, as cfmakeraw(3) clears and sets them (the containers are Linux's).
  private static final long IGNBRK = 0x1;
  private static final long BRKINT = 0x2;
  private static final long PARMRK = 0x8;
  private static final long ISTRIP = 0x20;
  private static final long INLCR = 0x40;
  private static final long IGNCR = 0x80;
  private static final long ICRNL = 0x100;
  private static final long IXON = 0x400;
  private static final long OPOST = 0x1;
  private static final long ISIG = 0x1;
  private static final long ICANON = 0x2;
  private static final long ECHO = 0x8;
  private static final long ECHONL = 0x40;
  private static final long IEXTEN = 0x8000;
  private static final long CSIZE = 0x30;
  private static final long PARENB = 0x100;
  private static final long CS8 = 0x30;
  private static final int VTIME = 5;
  private static final int VMIN = 6;

  private final CLibrary.Termios original;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread restoreAtExit = new Thread(this::restore, "coi-cli-terminal-restore");
  private volatile SignalHandler previousInt;
  private volatile SignalHandler previousWinch;
  private volatile boolean screenInUse;

  private UserTerminal(CLibrary.Termios original) {
    this.original = original;
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
    CLibrary.Termios saved = new CLibrary.Termios();
    try {
      check(CLibrary.tcgetattr(STDIN, saved), "read");
    } catch (LinkageError | RuntimeException e) {
      throw new CoiException(
          "cannot take over the terminal (" + e.getMessage() + "): run coi in a terminal", e);
    }
    UserTerminal tty = new UserTerminal(saved);
    // Before the first change: from here on, every way out of the JVM puts the terminal back.
    Runtime.getRuntime().addShutdownHook(tty.restoreAtExit);
    check(CLibrary.tcsetattr(STDIN, CLibrary.TCSANOW, raw(saved)), "set");
    // Sent from outside (kill -INT; the keyboard's Ctrl+C is a byte now): end as Ctrl+C to coi
    // always did, through the shutdown hooks that end the session, the terminal put back first.
    tty.previousInt =
        Signal.handle(
            new Signal("INT"),
            signal -> {
              tty.close();
              System.exit(ExitCodes.INTERRUPTED);
            });
    return tty;
  }

  /** A copy of {@code from} made raw as {@code cfmakeraw} makes it; reads return at one byte. */
  static CLibrary.Termios raw(CLibrary.Termios from) {
    CLibrary.Termios raw = new CLibrary.Termios();
    raw.c_iflag =
        from.c_iflag & ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    raw.c_oflag = from.c_oflag & ~OPOST;
    raw.c_lflag = from.c_lflag & ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    raw.c_cflag = (from.c_cflag & ~(CSIZE | PARENB)) | CS8;
    raw.c_cc = from.c_cc.clone();
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    raw.c_ispeed = from.c_ispeed;
    raw.c_ospeed = from.c_ospeed;
    return raw;
  }

  private static void check(int result, String what) {
    if (result != 0) {
      throw new CoiException(
          "cannot " + what + " the terminal's settings: run coi in a terminal (not a pipe)");
    }
  }

  /** The window's size now; 80x24 when the terminal does not say. */
  TerminalSize size() {
    CLibrary.WinSize size = new CLibrary.WinSize();
    if (CLibrary.ioctl(STDOUT, CLibrary.TIOCGWINSZ, size) != 0) {
      return TerminalSize.of(80, 24);
    }
    return sizeOf(size.ws_col, size.ws_row);
  }

  static TerminalSize sizeOf(int columns, int rows) {
    return TerminalSize.of(columns > 0 ? columns : 80, rows > 0 ? rows : 24);
  }

  /** Calls {@code listener} with the new size on every SIGWINCH. */
  void onResize(Consumer<TerminalSize> listener) {
    previousWinch = Signal.handle(new Signal("WINCH"), signal -> listener.accept(size()));
  }

  /** The keys, as they are typed: unbuffered, a read returns what is there. */
  InputStream input() {
    return new FileInputStream(FileDescriptor.in);
  }

  /** The screen. */
  OutputStream output() {
    return new FileOutputStream(FileDescriptor.out);
  }

  /**
   * Whether a program in the container draws on the screen now: if coi ends meanwhile (a signal),
   * what that program set up (the alternate screen, a scroll region, a hidden cursor, mouse
   * reporting) is undone as it would have undone it, so that the user's shell is usable again.
   */
  void screenInUse(boolean inUse) {
    screenInUse = inUse;
  }

  /** Leaves the alternate screen, resets the scroll region, shows the cursor, ends mouse modes. */
  private static final String SCREEN_RESET =
      "\033[?1049l\033[r\033[?25h\033[?1000l\033[?1002l\033[?1006l\033[?2004l\r\n";

  /** Puts the terminal back as it was; safe to call twice and from a signal handler. */
  @Override
  public void close() {
    restore();
    try {
      Runtime.getRuntime().removeShutdownHook(restoreAtExit);
    } catch (IllegalStateException shuttingDown) {
      // The hook runs or has run; it restores nothing twice.
    }
  }

  private void restore() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    CLibrary.tcsetattr(STDIN, CLibrary.TCSANOW, original);
    if (screenInUse) {
      try {
        OutputStream screen = output();
        screen.write(SCREEN_RESET.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        screen.flush();
      } catch (IOException gone) {
        // The terminal itself is gone: nobody sees it.
      }
    }
    if (previousWinch != null) {
      Signal.handle(new Signal("WINCH"), previousWinch);
    }
    if (previousInt != null) {
      Signal.handle(new Signal("INT"), previousInt);
    }
  }
}
