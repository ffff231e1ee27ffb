package dev.coi.incus.transport;

import static dev.coi.incus.transport.ServerFrames.binary;
import static dev.coi.incus.transport.ServerFrames.concat;
import static dev.coi.incus.transport.ServerFrames.frame;
import static dev.coi.incus.transport.ServerFrames.text;
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
import java.io.InputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Whole messages over encoded frames, as the daemon sends them; no daemon needed. */
class UnixWebSocketTest {
  private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
  private final AtomicBoolean connectionClosed = new AtomicBoolean();

  private UnixWebSocket socketReading(byte[]... frames) {
    return new UnixWebSocket(
        new ByteArrayInputStream(concat(frames)), sent, () -> connectionClosed.set(true), "test");
  }

  private List<WebSocketFrames.Frame> framesSent() throws IOException {
    InputStream in = new ByteArrayInputStream(sent.toByteArray());
    List<WebSocketFrames.Frame> frames = new ArrayList<>();
    for (var f = WebSocketFrames.read(in, 1 << 20);
        f != null;
        f = WebSocketFrames.read(in, 1 << 20)) {
      frames.add(f);
    }
    return frames;
  }

  private static String utf8(WebSocket.Message m) {
    return new String(m.data(), StandardCharsets.UTF_8);
  }

  @Test
  void binaryAndTextMessagesArriveWhole() throws IOException {
    UnixWebSocket ws = socketReading(binary("out"), text("{\"a\":1}"));
    WebSocket.Message first = ws.receive();
    assertFalse(first.text());
    assertEquals("out", utf8(first));
    WebSocket.Message second = ws.receive();
    assertTrue(second.text());
    assertEquals("{\"a\":1}", utf8(second));
  }

  @Test
  void fragmentsAreJoinedIntoOneMessage() throws IOException {
    UnixWebSocket ws =
        socketReading(
            frame(false, WebSocketFrames.BINARY, "he".getBytes(StandardCharsets.UTF_8)),
            frame(false, WebSocketFrames.CONTINUATION, "ll".getBytes(StandardCharsets.UTF_8)),
            frame(true, WebSocketFrames.CONTINUATION, "o".getBytes(StandardCharsets.UTF_8)),
            binary("next"));
    assertEquals("hello", utf8(ws.receive()));
    assertEquals("next", utf8(ws.receive()));
  }

  @Test
  void aPingInsideAFragmentedMessageIsAnsweredWithAPongOfItsPayload() throws IOException {
    byte[] keepalive = "keepalive".getBytes(StandardCharsets.UTF_8);
    UnixWebSocket ws =
        socketReading(
            frame(false, WebSocketFrames.BINARY, "ab".getBytes(StandardCharsets.UTF_8)),
            frame(true, WebSocketFrames.PING, keepalive),
            frame(true, WebSocketFrames.CONTINUATION, "cd".getBytes(StandardCharsets.UTF_8)));
    assertEquals("abcd", utf8(ws.receive()));
    List<WebSocketFrames.Frame> answers = framesSent();
    assertEquals(1, answers.size());
    assertEquals(WebSocketFrames.PONG, answers.get(0).opcode());
    assertArrayEquals(keepalive, answers.get(0).payload());
  }

  @Test
  void pingsBetweenMessagesAreAnsweredWhileReading() throws IOException {
    UnixWebSocket ws =
        socketReading(
            frame(true, WebSocketFrames.PING, new byte[] {1}),
            binary("x"),
            frame(true, WebSocketFrames.PING, new byte[] {2}),
            binary("y"));
    assertEquals("x", utf8(ws.receive()));
    assertEquals("y", utf8(ws.receive()));
    assertEquals(2, framesSent().size());
  }

  @Test
  void aPongThePeerCanNoLongerTakeDoesNotLoseWhatItSentBefore() throws IOException {
    java.io.OutputStream gone =
        new java.io.OutputStream() {
          @Override
          public void write(int b) throws IOException {
            throw new IOException("Broken pipe");
          }
        };
    UnixWebSocket ws =
        new UnixWebSocket(
            new ByteArrayInputStream(
                concat(
                    frame(true, WebSocketFrames.PING, new byte[] {1}),
                    binary("still buffered"),
                    text(""))),
            gone,
            () -> {},
            "test");
    assertEquals("still buffered", utf8(ws.receive()));
    assertNull(ws.receive());
  }

  @Test
  void theDaemonsEmptyTextFrameEndsTheStreamAndNothingAfterItIsRead() throws IOException {
    UnixWebSocket ws = socketReading(binary("last"), text(""), binary("never"));
    assertEquals("last", utf8(ws.receive()));
    assertNull(ws.receive());
    assertNull(ws.receive());
  }

  @Test
  void anEmptyBinaryMessageIsDataNotTheEnd() throws IOException {
    UnixWebSocket ws = socketReading(binary(""), binary("more"));
    assertEquals(0, ws.receive().data().length);
    assertEquals("more", utf8(ws.receive()));
  }

  @Test
  void aConnectionDroppedWithoutACloseFrameIsANormalEnd() throws IOException {
    UnixWebSocket ws = socketReading(binary("a"));
    assertEquals("a", utf8(ws.receive()));
    assertNull(ws.receive());
    assertNull(ws.receive());
  }

  @Test
  void aConnectionDroppedInsideAFrameIsAnError() {
    byte[] whole = binary("a longer payload");
    byte[] cut = java.util.Arrays.copyOf(whole, 6);
    UnixWebSocket ws = socketReading(cut);
    assertThrows(EOFException.class, ws::receive);
  }

  @Test
  void aCloseFrameEndsTheStreamAndIsAnsweredOnce() throws IOException {
    UnixWebSocket ws =
        socketReading(frame(true, WebSocketFrames.CLOSE, new byte[] {0x03, (byte) 0xE8}));
    assertNull(ws.receive());
    assertNull(ws.receive());
    List<WebSocketFrames.Frame> answers = framesSent();
    assertEquals(1, answers.size());
    assertEquals(WebSocketFrames.CLOSE, answers.get(0).opcode());
    assertThrows(IOException.class, () -> ws.sendText("late"));
  }

  @Test
  void sentMessagesAreMaskedSingleFrames() throws IOException {
    UnixWebSocket ws = socketReading();
    byte[] data = "stdin bytes".getBytes(StandardCharsets.UTF_8);
    ws.sendBinary(data, 6, 5);
    ws.sendText("");
    List<WebSocketFrames.Frame> frames = framesSent();
    assertEquals(2, frames.size());
    assertEquals(WebSocketFrames.BINARY, frames.get(0).opcode());
    assertEquals("bytes", new String(frames.get(0).payload(), StandardCharsets.UTF_8));
    assertEquals(WebSocketFrames.TEXT, frames.get(1).opcode());
    assertEquals(0, frames.get(1).payload().length);
    byte[] raw = sent.toByteArray();
    assertEquals(0x80, raw[1] & 0x80, "client frames carry the mask bit");
  }

  @Test
  void sendCloseWritesOneCloseFrameAndRefusesLaterData() throws IOException {
    UnixWebSocket ws = socketReading();
    ws.sendClose();
    ws.sendClose();
    List<WebSocketFrames.Frame> frames = framesSent();
    assertEquals(1, frames.size());
    assertEquals(WebSocketFrames.CLOSE, frames.get(0).opcode());
    assertArrayEquals(new byte[] {0x03, (byte) 0xE8}, frames.get(0).payload());
    assertThrows(IOException.class, () -> ws.sendBinary(new byte[1], 0, 1));
  }

  @Test
  void closeReleasesTheConnectionAndAReadItBreaksIsAnEnd() throws IOException {
    InputStream failing =
        new InputStream() {
          @Override
          public int read() throws IOException {
            throw new IOException("Socket closed");
          }
        };
    UnixWebSocket ws = new UnixWebSocket(failing, sent, () -> connectionClosed.set(true), "test");
    ws.close();
    ws.close();
    assertTrue(connectionClosed.get());
    assertNull(ws.receive());
  }

  @Test
  void unexpectedFramesAreProtocolErrors() {
    assertThrows(
        ProtocolException.class,
        () -> socketReading(frame(true, WebSocketFrames.CONTINUATION, new byte[1])).receive());
    assertThrows(
        ProtocolException.class,
        () ->
            socketReading(frame(false, WebSocketFrames.TEXT, new byte[1]), binary("x")).receive());
    assertThrows(
        ProtocolException.class, () -> socketReading(frame(true, 0x3, new byte[1])).receive());
  }

  @Test
  void theAcceptKeyIsTheRfcExample() {
    assertEquals(
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", UnixWebSocket.acceptFor("dGhlIHNhbXBsZSBub25jZQ=="));
  }
}
