package dev.coi.incus;

import dev.coi.incus.transport.WebSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A websocket whose incoming messages a test feeds and whose sent messages it reads; receive()
 * blocks as on a real socket until a message, the end, or close().
 */
class FakeWebSocket implements WebSocket {
  private static final Message END = new Message(true, new byte[0]);

  private final BlockingQueue<Message> incoming = new LinkedBlockingQueue<>();
  final List<String> sentText = new CopyOnWriteArrayList<>();
  final List<byte[]> sentBinary = new CopyOnWriteArrayList<>();
  final AtomicInteger received = new AtomicInteger();
  volatile boolean closed;
  volatile boolean closeSent;

  /** What the daemon does when this socket goes away. */
  volatile Runnable onClose = () -> {};

  void feed(byte[] data) {
    incoming.add(new Message(false, data));
  }

  void feed(String data) {
    feed(data.getBytes(StandardCharsets.UTF_8));
  }

  /** The daemon's end of stream. */
  void end() {
    incoming.add(END);
  }

  @Override
  public Message receive() throws IOException {
    if (closed) {
      return null;
    }
    try {
      Message m = incoming.take();
      if (m == END) {
        incoming.add(END); // stays ended
        return null;
      }
      received.incrementAndGet();
      return m;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  @Override
  public void sendBinary(byte[] data, int offset, int length) throws IOException {
    checkOpen();
    byte[] copy = new byte[length];
    System.arraycopy(data, offset, copy, 0, length);
    sentBinary.add(copy);
  }

  @Override
  public void sendText(String text) throws IOException {
    checkOpen();
    sentText.add(text);
  }

  @Override
  public void sendClose() throws IOException {
    checkOpen();
    closeSent = true;
  }

  private void checkOpen() throws IOException {
    if (closed || closeSent) {
      throw new IOException("closed");
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      incoming.add(END);
      onClose.run();
    }
  }
}
