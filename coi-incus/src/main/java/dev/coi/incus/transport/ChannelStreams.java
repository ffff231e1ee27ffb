package dev.coi.incus.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;

/**
 * A connected socket channel as a pair of streams, usable from two threads at once (one reading,
 * one writing). Until {@link #endDeadline()} the channel is non-blocking and every wait ends at a
 * deadline, so that an upgrade the daemon never answers fails in time; afterwards reads wait as
 * long as it takes.
 *
 * <p>Websockets use the JDK's own unix channels rather than junixsocket's, because junixsocket
 * closes a socket whose write fails: a pong to a daemon that has just hung up would then throw away
 * the frames it sent before, still unread here.
 */
final class ChannelStreams {
  private final SocketChannel channel;
  private Selector selector;
  private SelectionKey key;
  private long deadline;

  ChannelStreams(SocketChannel channel) {
    this.channel = channel;
  }

  /** Makes every read and write fail with {@link SocketTimeoutException} after {@code timeout}. */
  void startDeadline(Duration timeout) throws IOException {
    deadline = System.nanoTime() + timeout.toNanos();
    channel.configureBlocking(false);
    selector = Selector.open();
    key = channel.register(selector, 0);
  }

  /** Back to plain blocking reads and writes. */
  void endDeadline() throws IOException {
    selector.close(); // deregisters the channel, which may then block again
    selector = null;
    key = null;
    channel.configureBlocking(true);
  }

  final InputStream input =
      new BlockInputStream() {
        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          Objects.checkFromIndexSize(off, len, b.length);
          if (len == 0) {
            return 0;
          }
          ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
          int n;
          while ((n = channel.read(buffer)) == 0) {
            awaitReady(SelectionKey.OP_READ);
          }
          return n;
        }
      };

  final OutputStream output =
      new BlockOutputStream() {
        @Override
        protected void writeBlock(byte[] b, int off, int len) throws IOException {
          ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
          while (buffer.hasRemaining()) {
            if (channel.write(buffer) == 0) {
              awaitReady(SelectionKey.OP_WRITE);
            }
          }
        }
      };

  /** Only reached in non-blocking mode, where a read or write can do nothing. */
  private void awaitReady(int operation) throws IOException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new SocketTimeoutException("the daemon did not answer in time");
    }
    key.interestOps(operation);
    selector.select(Math.max(1, Duration.ofNanos(left).toMillis()));
    selector.selectedKeys().clear();
  }
}
