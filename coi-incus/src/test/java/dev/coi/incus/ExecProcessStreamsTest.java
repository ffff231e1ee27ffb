package dev.coi.incus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The exec's stream ends over a fake websocket: bounded buffering, ends, failures, closing. */
@Timeout(10)
class ExecProcessStreamsTest {
  private final FakeWebSocket socket = new FakeWebSocket();
  private final AtomicBoolean ended = new AtomicBoolean();
  private final ExecProcessOutput output =
      new ExecProcessOutput("output of test", socket, () -> ended.set(true));
  private Thread pump;

  private void startPump() {
    pump = new Thread(output::pump, "test-pump");
    pump.setDaemon(true);
    pump.start();
  }

  @AfterEach
  void stopPump() throws InterruptedException {
    output.abort();
    if (pump != null) {
      pump.interrupt();
      pump.join(5_000);
    }
  }

  @Test
  void messagesAreReadInOrderThenTheEnd() throws IOException {
    startPump();
    socket.feed("hello ");
    socket.feed(new byte[0]); // nothing, not the end
    socket.feed("world");
    socket.end();
    assertEquals("hello world", new String(output.readAllBytes(), StandardCharsets.UTF_8));
    assertEquals(-1, output.read());
    assertTrue(ended.get(), "the end action ran");
  }

  @Test
  void byteByByteReadsCrossMessageBoundaries() throws IOException {
    startPump();
    socket.feed("ab");
    socket.feed("c");
    socket.end();
    assertEquals('a', output.read());
    assertEquals('b', output.read());
    assertEquals('c', output.read());
    assertEquals(-1, output.read());
  }

  @Test
  void thePumpStopsReadingTheSocketWhenTheQueueIsFull() throws Exception {
    int offered = ExecProcessOutput.QUEUE_MESSAGES + 20;
    for (int i = 0; i < offered; i++) {
      socket.feed(new byte[32 * 1024]);
    }
    startPump();
    // The pump takes QUEUE_MESSAGES into the queue and one more it waits to put.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (socket.received.get() < ExecProcessOutput.QUEUE_MESSAGES + 1
        && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    pump.join(200); // give an unbounded pump the time to show itself
    assertEquals(ExecProcessOutput.QUEUE_MESSAGES + 1, socket.received.get());

    byte[] buffer = new byte[32 * 1024];
    assertEquals(32 * 1024, output.readNBytes(buffer, 0, buffer.length));
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (socket.received.get() < ExecProcessOutput.QUEUE_MESSAGES + 2
        && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertEquals(ExecProcessOutput.QUEUE_MESSAGES + 2, socket.received.get(), "one read, one more");
  }

  @Test
  void aBrokenSocketIsAnErrorAfterTheDataBeforeIt() throws Exception {
    ExecProcessOutput failing =
        new ExecProcessOutput(
            "output of test",
            new FakeWebSocket() {
              private int calls;

              @Override
              public Message receive() throws IOException {
                if (calls++ == 0) {
                  return new Message(false, "partial".getBytes(StandardCharsets.UTF_8));
                }
                throw new IOException("connection reset");
              }
            },
            () -> {});
    Thread t = new Thread(failing::pump);
    t.start();
    byte[] buffer = new byte[7];
    assertEquals(7, failing.readNBytes(buffer, 0, 7));
    assertArrayEquals("partial".getBytes(StandardCharsets.UTF_8), buffer);
    IOException e = assertThrows(IOException.class, failing::read);
    assertTrue(e.getMessage().contains("lost the output of test"), e.getMessage());
    t.join(5_000);
  }

  @Test
  void closingTheStreamClosesItsSocketAndLaterReadsFail() throws Exception {
    startPump();
    socket.feed("unread");
    output.close();
    assertTrue(socket.closed);
    assertThrows(IOException.class, output::read);
    pump.join(5_000);
    assertTrue(!pump.isAlive(), "the pump ended");
  }

  @Test
  void aReaderWaitingWhenTheProcessIsClosedSeesTheEnd() throws Exception {
    startPump();
    Thread reader = Thread.currentThread();
    Thread closer =
        new Thread(
            () -> {
              while (reader.getState() != Thread.State.WAITING) {
                Thread.onSpinWait();
              }
              output.abort();
            });
    closer.start();
    assertEquals(0, output.readAllBytes().length);
    closer.join();
  }

  @Test
  void anInterruptedReaderGetsInterruptedIoException() {
    startPump();
    Thread.currentThread().interrupt();
    assertThrows(InterruptedIOException.class, output::read);
    assertTrue(Thread.interrupted(), "the interrupt is kept");
  }

  @Test
  void aStreamWithoutSocketIsEmpty() throws IOException {
    ExecProcessOutput empty = new ExecProcessOutput("error output of test", null, () -> {});
    assertEquals(-1, empty.read());
  }

  @Test
  void stdinWritesBinaryMessagesAndEndsWithAnEmptyTextMessage() throws IOException {
    FakeWebSocket fd0 = new FakeWebSocket();
    ExecProcessInput stdin = new ExecProcessInput("cat in test", fd0);
    stdin.write("xhello".getBytes(StandardCharsets.UTF_8), 1, 5);
    stdin.write('!');
    stdin.write(new byte[0]);
    stdin.close();
    stdin.close();
    assertEquals(2, fd0.sentBinary.size());
    assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), fd0.sentBinary.get(0));
    assertEquals(java.util.List.of(""), fd0.sentText);
    IOException e = assertThrows(IOException.class, () -> stdin.write(1));
    assertTrue(e.getMessage().contains("stdin of cat in test is closed"), e.getMessage());
  }

  @Test
  void stdinToAnEndedProcessSaysSo() {
    FakeWebSocket fd0 = new FakeWebSocket();
    fd0.close();
    ExecProcessInput stdin = new ExecProcessInput("cat in test", fd0);
    IOException e = assertThrows(IOException.class, () -> stdin.write(1));
    assertTrue(e.getMessage().contains("has it ended?"), e.getMessage());
  }
}
