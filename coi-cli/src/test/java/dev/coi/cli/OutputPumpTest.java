package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.RunningCommand;
import dev.coi.api.TerminalSize;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The relay of a command's two output streams, in process with scripted streams. */
class OutputPumpTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  /** A command that wrote {@code stdout} and {@code stderr} and ended with {@code exitCode}. */
  private static RunningCommand command(InputStream stdout, InputStream stderr, int exitCode) {
    return new RunningCommand() {
      @Override
      public OutputStream stdin() {
        return OutputStream.nullOutputStream();
      }

      @Override
      public InputStream stdout() {
        return stdout;
      }

      @Override
      public InputStream stderr() {
        return stderr;
      }

      @Override
      public void resize(TerminalSize size) {}

      @Override
      public int waitFor() {
        return exitCode;
      }

      @Override
      public void close() {}
    };
  }

  private static InputStream bytes(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }

  /** A stream that fails as a lost connection does, after {@code first}. */
  private static InputStream failingAfter(String first) {
    return new InputStream() {
      private final InputStream head = bytes(first);

      @Override
      public int read() throws IOException {
        int b = head.read();
        if (b < 0) {
          throw new IOException("lost the error output of sh in c-1: Connection reset");
        }
        return b;
      }
    };
  }

  @Test
  void bothStreamsArriveByteForByteAndTheExitCodeIsTheCommands() throws IOException {
    byte[] binary = {(byte) 0xff, 0, 1, '\n'};
    int code =
        OutputPump.relay(
            command(new ByteArrayInputStream(binary), bytes("warning\n"), 3), out, err, "sh");

    assertEquals(3, code);
    assertArrayEquals(binary, out.toByteArray());
    assertEquals("warning\n", err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aMissingProgramThatSaidNothingIsReportedAsAShellWould() throws IOException {
    assertEquals(127, OutputPump.relay(command(bytes(""), bytes(""), 127), out, err, "nope"));
    assertEquals("nope: command not found\n", err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aMissingProgramThatExplainedItselfIsNotExplainedTwice() throws IOException {
    OutputPump.relay(command(bytes(""), bytes("sh: nope: not found\n"), 127), out, err, "sh");
    assertEquals("sh: nope: not found\n", err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aLostErrorStreamIsReportedByTheCallerNotByTheRelayThread() throws Exception {
    ByteArrayOutputStream uncaught = new ByteArrayOutputStream();
    Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
    PrintStream capture = new PrintStream(uncaught, true, StandardCharsets.UTF_8);
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> e.printStackTrace(capture));
    try {
      IOException e =
          assertThrows(
              IOException.class,
              () ->
                  OutputPump.relay(
                      command(bytes("fine\n"), failingAfter("partial "), 0), out, err, "sh"));

      assertTrue(e.getMessage().contains("Connection reset"), e.getMessage());
      assertEquals("fine\n", out.toString(StandardCharsets.UTF_8));
      assertEquals("partial ", err.toString(StandardCharsets.UTF_8));
      assertEquals("", uncaught.toString(StandardCharsets.UTF_8), "nothing escaped a thread");
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(before);
    }
  }

  @Test
  void aLostOutputStreamIsReportedToo() {
    IOException e =
        assertThrows(
            IOException.class,
            () -> OutputPump.relay(command(failingAfter("x"), bytes(""), 0), out, err, "sh"));
    assertTrue(e.getMessage().contains("Connection reset"), e.getMessage());
  }
}
