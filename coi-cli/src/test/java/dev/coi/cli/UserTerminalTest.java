package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.coi.api.TerminalSize;
import org.jline.nativ.CLibrary;
import org.junit.jupiter.api.Test;

/** The raw mode coi puts the user's terminal in, and the size it reports. */
class UserTerminalTest {
  /** A cooked terminal as Linux sets one up: icrnl ixon, opost onlcr, isig icanon echo iexten. */
  private static CLibrary.Termios cooked() {
    CLibrary.Termios t = new CLibrary.Termios();
    t.c_iflag = 0x100 | 0x400 | 0x4000; // ICRNL IXON IUTF8
    t.c_oflag = 0x1 | 0x4; // OPOST ONLCR
    t.c_cflag = 0xbf | 0x800; // B38400 CS8 CREAD
    t.c_lflag = 0x1 | 0x2 | 0x8 | 0x10 | 0x20 | 0x200 | 0x800 | 0x8000;
    t.c_cc = new byte[32];
    t.c_cc[0] = 3; // VINTR: Ctrl+C
    t.c_cc[5] = 0; // VTIME
    t.c_cc[6] = 1; // VMIN
    t.c_ispeed = 15;
    t.c_ospeed = 15;
    return t;
  }

  @Test
  void rawModeTurnsKeysIntoBytesAndKeepsWhatItDoesNotConcern() {
    CLibrary.Termios cooked = cooked();
    CLibrary.Termios raw = UserTerminal.raw(cooked);

    // No signals from keys (Ctrl+C, Ctrl+Z are bytes for the agent), no echo, no line editing.
    assertEquals(0, raw.c_lflag & (0x1 | 0x2 | 0x8 | 0x8000));
    // Enter arrives as the CR it is; no flow control eats Ctrl+S; output is passed as written.
    assertEquals(0, raw.c_iflag & (0x100 | 0x400));
    assertEquals(0, raw.c_oflag & 0x1);
    assertEquals(1, raw.c_cc[6]);
    assertEquals(0, raw.c_cc[5]);
    // The line's speed and unrelated flags stay, so that putting the original back is exact.
    assertEquals(15, raw.c_ispeed);
    assertEquals(15, raw.c_ospeed);
    assertEquals(0x4000, raw.c_iflag & 0x4000);
    assertEquals(3, raw.c_cc[0]);
    // The saved settings themselves are untouched.
    assertEquals(0x1 | 0x2 | 0x8 | 0x10 | 0x20 | 0x200 | 0x800 | 0x8000, cooked.c_lflag);
  }

  @Test
  void aTerminalThatGivesNoSizeIs80By24() {
    assertEquals(TerminalSize.of(80, 24), UserTerminal.sizeOf(0, 0));
    assertEquals(TerminalSize.of(132, 43), UserTerminal.sizeOf(132, 43));
  }
}
