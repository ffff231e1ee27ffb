package dev.coi.incus.transport;

import java.io.IOException;

/**
 * One websocket to the daemon, used blocking (exec streams, events). The daemon ends a stream with
 * an empty text frame and may then drop the connection without a close frame: both are a normal
 * end, not an error. Pings are answered inside {@link #receive()}.
 */
public interface WebSocket extends AutoCloseable {

  /**
   * The next data message, waiting for it; {@code null} at the end of the stream (the daemon's
   * empty text frame, a close frame, or the connection dropped after either).
   */
  Message receive() throws IOException;

  void sendBinary(byte[] data, int offset, int length) throws IOException;

  void sendText(String text) throws IOException;

  /** Ends our direction of the stream (for stdin: end of input) with a close frame. */
  void sendClose() throws IOException;

  /** Releases the connection; safe to call twice. */
  @Override
  void close();

  /** One data message: text or binary, whole (fragments joined). */
  record Message(boolean text, byte[] data) {}
}
