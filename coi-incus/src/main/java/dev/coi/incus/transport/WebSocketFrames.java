package dev.coi.incus.transport;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;

/**
 * RFC 6455 frames, encoded and decoded on byte streams: the header with its 7-, 16- or 64-bit
 * payload length, and the masking every client frame needs. No extensions are negotiated, so the
 * reserved bits must be clear. Whole messages (fragments, pings, close) are {@link UnixWebSocket}'s
 * concern.
 */
final class WebSocketFrames {
  static final int CONTINUATION = 0x0;
  static final int TEXT = 0x1;
  static final int BINARY = 0x2;
  static final int CLOSE = 0x8;
  static final int PING = 0x9;
  static final int PONG = 0xA;

  /** The largest payload a control frame (close, ping, pong) may carry. */
  static final int MAX_CONTROL_PAYLOAD = 125;

  private static final int MASK_CHUNK = 8 * 1024;

  private WebSocketFrames() {}

  /** One frame as read: payload unmasked. */
  record Frame(boolean fin, int opcode, byte[] payload) {
    boolean isControl() {
      return (opcode & 0x8) != 0;
    }
  }

  /**
   * Writes one frame, masked with {@code maskKey} as RFC 6455 requires of a client. Does not flush.
   */
  static void write(
      OutputStream out, boolean fin, int opcode, byte[] data, int offset, int length, int maskKey)
      throws IOException {
    byte[] header = new byte[14];
    int n = 0;
    header[n++] = (byte) ((fin ? 0x80 : 0) | opcode);
    if (length < 126) {
      header[n++] = (byte) (0x80 | length);
    } else if (length <= 0xFFFF) {
      header[n++] = (byte) (0x80 | 126);
      header[n++] = (byte) (length >>> 8);
      header[n++] = (byte) length;
    } else {
      header[n++] = (byte) (0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        header[n++] = (byte) ((long) length >>> shift);
      }
    }
    byte[] mask = {
      (byte) (maskKey >>> 24), (byte) (maskKey >>> 16), (byte) (maskKey >>> 8), (byte) maskKey
    };
    System.arraycopy(mask, 0, header, n, 4);
    n += 4;
    out.write(header, 0, n);
    // Masked in chunks so that a large message costs no copy of its own size.
    byte[] chunk = new byte[Math.min(length, MASK_CHUNK)];
    for (int done = 0; done < length; ) {
      int size = Math.min(chunk.length, length - done);
      for (int i = 0; i < size; i++) {
        chunk[i] = (byte) (data[offset + done + i] ^ mask[(done + i) & 3]);
      }
      out.write(chunk, 0, size);
      done += size;
    }
  }

  /**
   * Reads one frame; {@code null} when the stream ends before its first byte (the daemon drops
   * connections without a close frame). A stream that ends inside a frame is an {@link
   * EOFException}; a payload over {@code maxPayload} bytes is refused before it is read.
   */
  static Frame read(InputStream in, int maxPayload) throws IOException {
    int b0 = in.read();
    if (b0 < 0) {
      return null;
    }
    int b1 = readByte(in);
    if ((b0 & 0x70) != 0) {
      throw new ProtocolException("websocket frame with reserved bits set: " + (b0 & 0x70));
    }
    boolean fin = (b0 & 0x80) != 0;
    int opcode = b0 & 0x0F;
    long length = b1 & 0x7F;
    if (length == 126) {
      length = readUnsigned(in, 2);
    } else if (length == 127) {
      length = readUnsigned(in, 8);
      if (length < 0) {
        throw new ProtocolException("websocket frame length has its top bit set");
      }
    }
    boolean control = (opcode & 0x8) != 0;
    if (control && (!fin || length > MAX_CONTROL_PAYLOAD)) {
      throw new ProtocolException(
          "websocket control frame " + opcode + " fragmented or longer than 125 bytes");
    }
    if (length > maxPayload) {
      throw new ProtocolException(
          "websocket frame of " + length + " bytes exceeds the limit of " + maxPayload);
    }
    byte[] mask = (b1 & 0x80) != 0 ? readFully(in, 4) : null;
    byte[] payload = readFully(in, (int) length);
    if (mask != null) {
      for (int i = 0; i < payload.length; i++) {
        payload[i] ^= mask[i & 3];
      }
    }
    return new Frame(fin, opcode, payload);
  }

  private static int readByte(InputStream in) throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException("connection closed inside a websocket frame header");
    }
    return b;
  }

  private static long readUnsigned(InputStream in, int bytes) throws IOException {
    long value = 0;
    for (int i = 0; i < bytes; i++) {
      value = (value << 8) | readByte(in);
    }
    return value;
  }

  private static byte[] readFully(InputStream in, int length) throws IOException {
    byte[] data = in.readNBytes(length);
    if (data.length != length) {
      throw new EOFException(
          "connection closed inside a websocket frame: "
              + data.length
              + " of "
              + length
              + " bytes");
    }
    return data;
  }
}
