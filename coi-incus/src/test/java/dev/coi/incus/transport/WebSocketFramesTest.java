package dev.coi.incus.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ProtocolException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Frames byte by byte: the client's masked frames and the server's plain ones. */
class WebSocketFramesTest {
  private static final int MASK = 0x37FA213D;

  @Test
  void aClientFrameIsMaskedWithTheKeyAfterTheLength() throws IOException {
    byte[] hello = "Hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    WebSocketFrames.write(out, true, WebSocketFrames.TEXT, hello, 0, hello.length, MASK);
    // RFC 6455 section 5.7: a single-frame masked text message "Hello".
    byte[] expected = {
      (byte) 0x81, (byte) 0x85, 0x37, (byte) 0xfa, 0x21, 0x3d, 0x7f, (byte) 0x9f, 0x4d, 0x51, 0x58
    };
    assertArrayEquals(expected, out.toByteArray());
  }

  @Test
  void aMaskedFrameReadsBackAsItsPayload() throws IOException {
    byte[] data = new byte[20_000];
    Arrays.fill(data, (byte) 'x');
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    WebSocketFrames.write(out, true, WebSocketFrames.BINARY, data, 0, data.length, MASK);
    WebSocketFrames.Frame frame =
        WebSocketFrames.read(new ByteArrayInputStream(out.toByteArray()), 1 << 20);
    assertArrayEquals(data, frame.payload());
    assertEquals(WebSocketFrames.BINARY, frame.opcode());
    assertTrue(frame.fin());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 125, 126, 127, 65_535, 65_536, 200_000})
  void eachLengthFormIsWrittenAsTheRfcSays(int length) throws IOException {
    byte[] data = new byte[length];
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    WebSocketFrames.write(out, true, WebSocketFrames.BINARY, data, 0, length, MASK);
    byte[] frame = out.toByteArray();
    int lengthBytes = length < 126 ? 0 : length <= 65_535 ? 2 : 8;
    assertEquals(2 + lengthBytes + 4 + length, frame.length);
    int seven = frame[1] & 0x7F;
    assertEquals(0x80, frame[1] & 0x80, "mask bit");
    assertEquals(length < 126 ? length : length <= 65_535 ? 126 : 127, seven);
    long written = 0;
    for (int i = 0; i < lengthBytes; i++) {
      written = (written << 8) | (frame[2 + i] & 0xFF);
    }
    if (lengthBytes > 0) {
      assertEquals(length, written);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 5, 125, 126, 65_535, 65_536, 100_000})
  void aServerFrameOfEachLengthFormIsRead(int length) throws IOException {
    byte[] data = new byte[length];
    for (int i = 0; i < length; i++) {
      data[i] = (byte) i;
    }
    WebSocketFrames.Frame frame =
        WebSocketFrames.read(
            new ByteArrayInputStream(ServerFrames.frame(true, WebSocketFrames.BINARY, data)),
            1 << 20);
    assertArrayEquals(data, frame.payload());
  }

  @Test
  void aFragmentKeepsItsFinBitAndOpcode() throws IOException {
    WebSocketFrames.Frame frame =
        WebSocketFrames.read(
            new ByteArrayInputStream(
                ServerFrames.frame(false, WebSocketFrames.TEXT, new byte[] {'a'})),
            100);
    assertFalse(frame.fin());
    assertEquals(WebSocketFrames.TEXT, frame.opcode());
    assertFalse(frame.isControl());
  }

  @Test
  void theEndOfTheStreamBeforeAFrameIsNoFrame() throws IOException {
    assertNull(WebSocketFrames.read(new ByteArrayInputStream(new byte[0]), 100));
  }

  @Test
  void theEndOfTheStreamInsideAFrameIsAnError() {
    byte[] frame = ServerFrames.frame(true, WebSocketFrames.BINARY, new byte[300]);
    byte[] cut = Arrays.copyOf(frame, 100);
    assertThrows(
        EOFException.class, () -> WebSocketFrames.read(new ByteArrayInputStream(cut), 1000));
    byte[] headerOnly = Arrays.copyOf(frame, 3);
    assertThrows(
        EOFException.class, () -> WebSocketFrames.read(new ByteArrayInputStream(headerOnly), 1000));
  }

  @Test
  void aFrameOverTheLimitIsRefusedBeforeItsPayloadIsRead() {
    byte[] frame = ServerFrames.frame(true, WebSocketFrames.BINARY, new byte[2000]);
    ProtocolException e =
        assertThrows(
            ProtocolException.class,
            () -> WebSocketFrames.read(new ByteArrayInputStream(frame), 1000));
    assertTrue(e.getMessage().contains("2000"), e.getMessage());
  }

  @Test
  void reservedBitsAndLongControlFramesAreProtocolErrors() {
    byte[] reserved = ServerFrames.frame(true, WebSocketFrames.BINARY, new byte[1]);
    reserved[0] |= 0x40;
    assertThrows(
        ProtocolException.class,
        () -> WebSocketFrames.read(new ByteArrayInputStream(reserved), 100));
    byte[] longPing = ServerFrames.frame(true, WebSocketFrames.PING, new byte[126]);
    assertThrows(
        ProtocolException.class,
        () -> WebSocketFrames.read(new ByteArrayInputStream(longPing), 1000));
    byte[] fragmentedPing = ServerFrames.frame(false, WebSocketFrames.PING, new byte[1]);
    assertThrows(
        ProtocolException.class,
        () -> WebSocketFrames.read(new ByteArrayInputStream(fragmentedPing), 1000));
  }
}
