package dev.coi.incus.transport;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Frames as a server sends them (unmasked), encoded here by hand and not with the code under test.
 */
final class ServerFrames {
  private ServerFrames() {}

  static byte[] frame(boolean fin, int opcode, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write((fin ? 0x80 : 0) | opcode);
    int length = payload.length;
    if (length < 126) {
      out.write(length);
    } else if (length < 65_536) {
      out.write(126);
      out.write(length >> 8);
      out.write(length & 0xFF);
    } else {
      out.write(127);
      for (int i = 7; i >= 0; i--) {
        out.write((int) (((long) length >> (8 * i)) & 0xFF));
      }
    }
    out.writeBytes(payload);
    return out.toByteArray();
  }

  static byte[] binary(String text) {
    return frame(true, WebSocketFrames.BINARY, text.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] text(String text) {
    return frame(true, WebSocketFrames.TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] concat(byte[]... frames) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] f : frames) {
      out.writeBytes(f);
    }
    return out.toByteArray();
  }
}
