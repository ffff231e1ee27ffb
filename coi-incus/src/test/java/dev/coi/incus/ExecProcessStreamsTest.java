package dev.coi.incus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The exec's stream ends over a fake websocket: reading as consumed, ends, failures, closing. */
@Timeout(10)
class ExecProcessStreamsTest {
  private final FakeWebSocket socket = new FakeWebSocket();
  private final AtomicBoolean ended = new AtomicBoolean();
  private final ExecProcessOutput output =
      new ExecProcessOutput("output of test", socket, () -> ended.set(true));

  @Test
  void messagesAreReadInOrderThenTheEnd() throws IOException {
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
    socket.feed("ab");
    socket.feed("c");
    socket.end();
    assertEquals('a', output.read());
    assertEquals(1, output.available());
    assertEquals('b', output.read());
    assertEquals('c', output.read());
    assertEquals(-1, output.read());
  }

  @Test
  void theSocketIsReadOnlyAsFastAsTheStreamIs() throws IOException {
    for (int i = 0; i < 10; i++) {
      socket.feed(new byte[32 * 1024]);
    }
    assertEquals(0, socket.received.get(), "nothing read before the consumer asks");
    byte[] buffer = new byte[1000];
    assertEquals(1000, output.read(buffer));
    assertEquals(1, socket.received.get());
    output.readNBytes(new byte[32 * 1024 - 1000], 0, 32 * 1024 - 1000);
    assertEquals(1, socket.received.get(), "the first message is consumed before the next is read");
    assertEquals(1000, output.read(buffer));
    assertEquals(2, socket.received.get());
  }

  @Test
  void aBrokenSocketIsAnErrorAfterTheDataBeforeIt() throws Exception {
    FakeWebSocket failing =
        new FakeWebSocket() {
          private int calls;

          @Override
          public Message receive() throws IOException {
            if (calls++ == 0) {
              return new Message(false, "partial".getBytes(StandardCharsets.UTF_8));
            }
            throw new IOException("connection reset");
          }
        };
    ExecProcessOutput broken = new ExecProcessOutput("output of test", failing, () -> {});
    byte[] buffer = new byte[7];
    assertEquals(7, broken.readNBytes(buffer, 0, 7));
    assertArrayEquals("partial".getBytes(StandardCharsets.UTF_8), buffer);
    IOException e = assertThrows(IOException.class, broken::read);
    assertTrue(e.getMessage().contains("lost the output of test"), e.getMessage());
    assertTrue(e.getMessage().contains("connection reset"), e.getMessage());
    assertSame(e, assertThrows(IOException.class, broken::read), "the same failure again");
    assertTrue(failing.closed);
  }

  @Test
  void closingTheStreamClosesItsSocketAndLaterReadsFail() {
    socket.feed("unread");
    output.close();
    assertTrue(socket.closed);
    IOException e = assertThrows(IOException.class, output::read);
    assertTrue(e.getMessage().contains("the output of test stream is closed"), e.getMessage());
  }

  @Test
  void aReaderWaitingWhenTheProcessIsClosedSeesTheEnd() throws Exception {
    Thread reader = Thread.currentThread();
    Thread closer =
        new Thread(
            () -> {
              while (reader.getState() != Thread.State.WAITING) {
                Thread.onSpinWait();
              }
              output.release();
            });
    closer.start();
    assertEquals(0, output.readAllBytes().length);
    closer.join();
  }

  @Test
  void anInterruptedReaderGetsInterruptedIoExceptionAndTheStreamIsGone() {
    Thread.currentThread().interrupt();
    assertThrows(InterruptedIOException.class, output::read);
    assertTrue(Thread.interrupted(), "the interrupt is kept");
    assertTrue(socket.closed, "an interrupt closes a channel; the socket is closed to say so");
    assertThrows(InterruptedIOException.class, output::read);
  }

  @Test
  void aStreamWithoutSocketIsEmpty() throws IOException {
    ExecProcessOutput empty = new ExecProcessOutput("error output of test", null, () -> {});
    assertEquals(-1, empty.read());
    empty.close();
  }

  @Test
  void stdinWritesBinaryMessagesAndEndsWithAnEmptyTextMessage() throws IOException {
    FakeWebSocket fd0 = new FakeWebSocket();
    ExecProcessInput stdin = new ExecProcessInput("cat in test", fd0, () -> {});
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
    ExecProcessInput stdin = new ExecProcessInput("cat in test", fd0, () -> {});
    stdin.confirmStarted(); // before, the input is kept for an exec started again
    IOException e = assertThrows(IOException.class, () -> stdin.write(1));
    assertTrue(e.getMessage().contains("has it ended?"), e.getMessage());
  }
}
