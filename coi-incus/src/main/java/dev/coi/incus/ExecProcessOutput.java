package dev.coi.incus;

import dev.coi.incus.internal.transport.WebSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * One output stream of an exec (stdout, stderr, or a terminal's combined output). A pump thread
 * reads the fd's websocket into a small bounded queue of messages; {@link #read} takes from it.
 * When the queue is full the pump stops reading the socket, so the daemon, and behind it the
 * process, wait for the consumer: memory stays at a few messages of at most 32 KiB each however
 * much the command writes. The pump keeps answering the daemon's pings while the consumer is merely
 * slow, since it reads whenever there is room.
 *
 * <p>Closing the stream closes its websocket, as closing a pipe does: a process that goes on
 * writing to it gets {@code EPIPE}.
 */
final class ExecProcessOutput extends InputStream {
  /** Messages held at most: 8 x 32 KiB from the daemon. */
  static final int QUEUE_MESSAGES = 8;

  private static final byte[] END = new byte[0];

  private final String what;
  private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(QUEUE_MESSAGES);
  private final WebSocket socket;
  private final Runnable atEnd;
  private volatile IOException failure;
  private volatile boolean closed;
  // The reading side, used by one thread at a time as for any InputStream.
  private byte[] current;
  private int position;
  private boolean ended;

  /**
   * @param socket the fd's websocket; {@code null} for a stream that is empty from the start
   * @param atEnd what to do once the daemon has ended the stream (before the reader sees the end)
   */
  ExecProcessOutput(String what, WebSocket socket, Runnable atEnd) {
    this.what = what;
    this.socket = socket;
    this.atEnd = atEnd;
    if (socket == null) {
      chunks.add(END);
    }
  }

  /** The pump: runs on its own thread until the stream ends, fails or is closed. */
  void pump() {
    try {
      for (WebSocket.Message m = socket.receive(); m != null; m = socket.receive()) {
        if (m.data().length > 0) {
          chunks.put(m.data());
        }
        if (closed) {
          return;
        }
      }
      atEnd.run();
    } catch (IOException e) {
      if (closed) {
        return;
      }
      failure = e;
    } catch (InterruptedException e) {
      return; // being closed: abort() ends the stream for the reader
    }
    try {
      // Waits for room: the reader gets everything queued before the end.
      chunks.put(END);
    } catch (InterruptedException e) {
      // Being closed: abort() ends the stream for the reader.
    }
  }

  /** Ends the stream for the reader without blocking, dropping what it has not read. */
  void abort() {
    closed = true;
    if (socket != null) {
      socket.close();
    }
    end();
  }

  private void end() {
    if (!chunks.offer(END)) {
      // Full, and nobody will read what is queued any more: make room for the end.
      chunks.clear();
      chunks.offer(END);
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xFF;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, buffer.length);
    if (closed && !ended) {
      throw new IOException("the " + what + " stream is closed");
    }
    if (length == 0) {
      return 0;
    }
    if (current == null || position == current.length) {
      if (ended || !next()) {
        return -1;
      }
    }
    int n = Math.min(length, current.length - position);
    System.arraycopy(current, position, buffer, offset, n);
    position += n;
    return n;
  }

  /** Takes the next message; false at the end of the stream. */
  private boolean next() throws IOException {
    byte[] chunk;
    try {
      chunk = chunks.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading the " + what);
    }
    if (chunk == END) {
      ended = true;
      current = null;
      IOException lost = failure;
      if (lost != null) {
        throw new IOException("lost the " + what + ": " + lost.getMessage(), lost);
      }
      return false;
    }
    current = chunk;
    position = 0;
    return true;
  }

  @Override
  public int available() {
    return current == null ? 0 : current.length - position;
  }

  /** Stops reading: the websocket is closed and what was not read is dropped. */
  @Override
  public void close() {
    if (!closed) {
      abort();
    }
  }
}
