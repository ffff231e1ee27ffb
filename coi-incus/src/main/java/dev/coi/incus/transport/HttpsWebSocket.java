package dev.coi.incus.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * {@code java.net.http}'s callback websocket as the blocking {@link WebSocket}. Messages wait in a
 * bounded queue; when it is full no more are requested, so a slow reader slows the daemon down
 * (through TCP) instead of filling memory. Pings are answered by {@code java.net.http} itself.
 */
final class HttpsWebSocket implements WebSocket {
  /** Whole messages held for the reader; the daemon's frames are at most 32 KiB. */
  private static final int CAPACITY = 16;

  private static final Object END = new Object();

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final ArrayDeque<Object> queue = new ArrayDeque<>();
  private final Consumer<HttpsWebSocket> onClose;
  private volatile java.net.http.WebSocket socket;
  private boolean paused;
  private boolean ended;
  private IOException failure;

  /** {@code onClose} runs when this socket is closed, to forget it. */
  HttpsWebSocket(Consumer<HttpsWebSocket> onClose) {
    this.onClose = onClose;
  }

  /** The listener to open the websocket with; the websocket is known from its {@code onOpen}. */
  java.net.http.WebSocket.Listener listener() {
    return new Listener();
  }

  @Override
  public Message receive() throws IOException {
    Object item;
    boolean resume;
    lock.lock();
    try {
      while (queue.isEmpty() && !ended && failure == null) {
        arrived.await();
      }
      item = queue.poll();
      if (item == null) {
        if (failure != null) {
          throw failure;
        }
        return null;
      }
      resume = paused && queue.size() < CAPACITY;
      if (resume) {
        paused = false;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for a websocket message");
    } finally {
      lock.unlock();
    }
    // Outside the lock: request() may deliver the next message on this very thread.
    if (resume) {
      socket.request(1);
    }
    return item == END ? null : (Message) item;
  }

  @Override
  public void sendBinary(byte[] data, int offset, int length) throws IOException {
    ByteBuffer copy = ByteBuffer.allocate(length).put(data, offset, length).flip();
    await(socket.sendBinary(copy, true));
  }

  @Override
  public void sendText(String text) throws IOException {
    await(socket.sendText(text, true));
  }

  @Override
  public void sendClose() throws IOException {
    await(socket.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, ""));
  }

  /**
   * {@code java.net.http} refuses a send while another is in flight, so sends are serialised here;
   * each waits as long as the daemon takes to accept the data, as a blocking socket write would.
   */
  private synchronized void await(CompletableFuture<?> sent) throws IOException {
    try {
      sent.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      socket.abort();
      throw new InterruptedIOException("interrupted while sending on a websocket");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof IOException io ? io : new IOException("websocket send failed", cause);
    }
  }

  @Override
  public void close() {
    socket.abort();
    finish(null);
    onClose.accept(this);
  }

  /** Ends the stream for the reader: normally ({@code null}) or with a failure. */
  private void finish(IOException error) {
    lock.lock();
    try {
      if (!ended && failure == null) {
        if (error == null) {
          ended = true;
          queue.add(END);
        } else {
          failure = error;
        }
      }
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void deliver(Object item) {
    boolean more;
    lock.lock();
    try {
      if (ended || failure != null) {
        return;
      }
      if (item == END) {
        ended = true;
      }
      queue.add(item);
      arrived.signalAll();
      more = queue.size() < CAPACITY;
      paused = !more;
    } finally {
      lock.unlock();
    }
    if (more) {
      socket.request(1);
    }
  }

  private final class Listener implements java.net.http.WebSocket.Listener {
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private final StringBuilder partialText = new StringBuilder();

    @Override
    public void onOpen(java.net.http.WebSocket webSocket) {
      socket = webSocket;
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(
        java.net.http.WebSocket webSocket, CharSequence data, boolean last) {
      partialText.append(data);
      if (!last) {
        webSocket.request(1);
        return null;
      }
      String text = partialText.toString();
      partialText.setLength(0);
      // The daemon ends each stream with an empty text message.
      deliver(text.isEmpty() ? END : new Message(true, text.getBytes(StandardCharsets.UTF_8)));
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(
        java.net.http.WebSocket webSocket, ByteBuffer data, boolean last) {
      // The buffer is reused once this returns: copy it.
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      partial.writeBytes(bytes);
      if (!last) {
        webSocket.request(1);
        return null;
      }
      byte[] message = partial.toByteArray();
      partial.reset();
      deliver(new Message(false, message));
      return null;
    }

    @Override
    public CompletionStage<?> onClose(
        java.net.http.WebSocket webSocket, int statusCode, String reason) {
      finish(null);
      return null;
    }

    @Override
    public void onError(java.net.http.WebSocket webSocket, Throwable error) {
      // After the end marker the daemon drops the connection without a close frame: a normal end,
      // which finish() ignores since the stream has already ended.
      finish(
          error instanceof IOException io
              ? io
              : new IOException("websocket failed: " + error, error));
    }
  }
}
