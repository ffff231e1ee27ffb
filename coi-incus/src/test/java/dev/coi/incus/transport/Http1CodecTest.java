package dev.coi.incus.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Http1CodecTest {

  private static InputStream bytes(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  @Test
  void writesARequestWithHostAndLength() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Http1Codec.writeRequest(HttpRequest.json("POST", "/1.0/instances", "{\"a\":1}"), out);

    String written = out.toString(StandardCharsets.ISO_8859_1);
    assertTrue(written.startsWith("POST /1.0/instances HTTP/1.1\r\n"), written);
    assertTrue(written.contains("\r\nHost: incus\r\n"), written);
    assertTrue(written.contains("\r\nContent-Type: application/json\r\n"), written);
    assertTrue(written.endsWith("Content-Length: 7\r\n\r\n{\"a\":1}"), written);
  }

  @Test
  void readsAContentLengthBodyAndLeavesTheNextResponseInTheStream() throws IOException {
    InputStream in =
        bytes(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Incus-Uid: 0\r\n\r\nhello"
                + "HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\n{}");

    HttpResponse first = Http1Codec.readResponse(in, "GET");
    HttpResponse second = Http1Codec.readResponse(in, "GET");

    assertEquals(200, first.status());
    assertEquals("hello", first.bodyText());
    assertEquals("0", first.header("X-Incus-Uid"));
    assertEquals(404, second.status());
    assertEquals("{}", second.bodyText());
  }

  @Test
  void readsAChunkedBodyWithExtensionsAndTrailers() throws IOException {
    InputStream in =
        bytes(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-T: y\r\n\r\n"
                + "HTTP/1.1 204 No Content\r\n\r\n");

    HttpResponse response = Http1Codec.readResponse(in, "GET");

    assertEquals("Wikipedia in\r\n\r\nchunks.", response.bodyText());
    assertEquals(204, Http1Codec.readResponse(in, "GET").status());
  }

  @Test
  void aBodyWithoutLengthRunsToTheEndAndClosesTheConnection() throws IOException {
    HttpResponse r = Http1Codec.readResponse(bytes("HTTP/1.1 200 OK\r\n\r\nall of it"), "GET");
    assertEquals("all of it", r.bodyText());
    assertFalse(Http1Codec.keepAlive(r));
  }

  @Test
  void connectionCloseIsHonoured() throws IOException {
    HttpResponse r =
        Http1Codec.readResponse(
            bytes("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"), "GET");
    assertFalse(Http1Codec.keepAlive(r));
  }

  @Test
  void binaryBodiesSurviveIntact() throws IOException {
    byte[] payload = new byte[256];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) i;
    }
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    wire.write(
        "HTTP/1.1 200 OK\r\nContent-Length: 256\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    wire.write(payload);

    HttpResponse r = Http1Codec.readResponse(new ByteArrayInputStream(wire.toByteArray()), "GET");
    assertArrayEquals(payload, r.body());
  }

  @Test
  void aClosedConnectionIsAnEofAndACutBodyIsAnError() {
    assertThrows(EOFException.class, () -> Http1Codec.readResponse(bytes(""), "GET"));
    assertThrows(
        EOFException.class,
        () ->
            Http1Codec.readResponse(
                bytes("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc"), "GET"));
    assertThrows(
        EOFException.class,
        () ->
            Http1Codec.readResponse(
                bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"), "GET"));
  }

  @Test
  void garbageIsNotTakenForAResponse() {
    IOException e =
        assertThrows(IOException.class, () -> Http1Codec.readResponse(bytes("SSH-2.0\r\n"), "GET"));
    assertTrue(e.getMessage().contains("SSH-2.0"), e.getMessage());
    assertThrows(
        IOException.class,
        () ->
            Http1Codec.readResponse(
                bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), "GET"));
  }
}
