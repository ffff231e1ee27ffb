package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** coi's input passed on to a command, and how {@code coi run} reads its own command line. */
class InputPumpTest {

  /** Records what was written and whether it was closed. */
  static final class Sink extends OutputStream {
    final ByteArrayOutputStream data = new ByteArrayOutputStream();
    volatile boolean closed;
    int flushes;

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      data.write(b, off, len);
    }

    @Override
    public void write(int b) {
      data.write(b);
    }

    @Override
    public void flush() {
      flushes++;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  @Test
  void everyByteArrivesAndTheEndOfInputEndsTheCommandsInput() throws Exception {
    byte[] input = new byte[300_000];
    new Random(3).nextBytes(input);
    Sink sink = new Sink();

    Thread pump = InputPump.start(new ByteArrayInputStream(input), sink, "test-pump");
    pump.join(TimeUnit.MINUTES.toMillis(1));

    assertFalse(pump.isAlive());
    assertArrayEquals(input, sink.data.toByteArray());
    assertTrue(sink.closed);
  }

  @Test
  void keysArriveOneByOneAsTheyAreTyped() throws Exception {
    PipedOutputStream keyboard = new PipedOutputStream();
    PipedInputStream keys = new PipedInputStream(keyboard);
    Sink sink = new Sink();
    InputPump.start(keys, sink, "test-keys");

    // Ctrl+C is a byte for the command like any other.
    keyboard.write(3);
    keyboard.flush();
    CoiChild.await(() -> sink.data.size() == 1, "the first key");
    assertEquals(3, sink.data.toByteArray()[0]);
    assertFalse(sink.closed);

    keyboard.write("ls\r".getBytes(StandardCharsets.US_ASCII));
    keyboard.close();
    CoiChild.await(() -> sink.closed, "the end of input");
    assertEquals("\u0003ls\r", sink.data.toString(StandardCharsets.US_ASCII));
  }

  @Test
  void aCommandThatStopsReadingEndsTheCopyQuietly() throws Exception {
    OutputStream gone =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            throw new IOException("the command has ended");
          }
        };
    Thread pump = InputPump.start(new ByteArrayInputStream(new byte[10]), gone, "test-gone");
    pump.join(TimeUnit.MINUTES.toMillis(1));
    assertFalse(pump.isAlive());
  }

  @Test
  void doubleDashSeparatesCoisOptionsFromTheCommands() {
    CommandLine cli = Coi.commandLine();
    cli.parseArgs("run", "--persistent", "--", "--version", "-t");
    RunCommand run = cli.getSubcommands().get("run").getCommand();
    assertEquals(java.util.List.of("--version", "-t"), run.command);
    assertTrue(((Coi) cli.getCommand()).global.persistent);
    assertFalse(run.tty);
  }

  @Test
  void dashTAsksForATerminal() {
    CommandLine cli = Coi.commandLine();
    cli.parseArgs("run", "-t", "bash");
    RunCommand run = cli.getSubcommands().get("run").getCommand();
    assertTrue(run.tty);
    assertEquals(java.util.List.of("bash"), run.command);
  }
}
