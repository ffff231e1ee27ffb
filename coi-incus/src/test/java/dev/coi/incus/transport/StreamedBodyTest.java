package dev.coi.incus.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Request bodies written as they are sent, with the length announced first and held to. */
class StreamedBodyTest {

  private static RequestBody body(long announced, String actual) {
    return TestBodies.announcing(
        announced, out -> out.write(actual.getBytes(StandardCharsets.US_ASCII)));
  }

  private static final HttpRequest POST =
      new HttpRequest(
          "POST",
          "/1.0/images",
          Map.of("Content-Type", "application/octet-stream"),
          new byte[0],
          HttpRequest.DEFAULT_TIMEOUT);

  @Test
  void theHeadAnnouncesTheLengthAndAsksToContinueThenTheBodyFollows() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Http1Codec.writeHeadExpectingContinue(POST, 5, out);
    String head = out.toString(StandardCharsets.ISO_8859_1);
    Http1Codec.writeBody(body(5, "hello"), out);

    assertTrue(head.startsWith("POST /1.0/images HTTP/1.1\r\n"), head);
    assertTrue(head.contains("\r\nExpect: 100-continue\r\n"), head);
    assertTrue(head.endsWith("Content-Length: 5\r\n\r\n"), head);
    assertEquals(head + "hello", out.toString(StandardCharsets.ISO_8859_1));
  }

  @Test
  void aBodyLongerOrShorterThanAnnouncedFailsRatherThanCorruptTheConnection() {
    assertThrows(
        IOException.class,
        () -> Http1Codec.writeBody(body(3, "hello"), new ByteArrayOutputStream()));
    IOException shorter =
        assertThrows(
            IOException.class,
            () -> Http1Codec.writeBody(body(9, "hello"), new ByteArrayOutputStream()));
    assertTrue(shorter.getMessage().contains("5 of 9"), shorter.getMessage());
  }

  @Test
  void aTransportThatCannotStreamGetsTheBodyBuffered() throws IOException {
    AtomicReference<HttpRequest> sent = new AtomicReference<>();
    HttpTransport buffering =
        new HttpTransport() {
          @Override
          public HttpResponse send(HttpRequest request) {
            sent.set(request);
            return new HttpResponse(200, Map.of(), new byte[0]);
          }

          @Override
          public String endpoint() {
            return "test";
          }

          @Override
          public void close() {}
        };

    buffering.send(POST, body(5, "hello"));

    assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), sent.get().body());
    assertEquals("application/octet-stream", sent.get().headers().get("Content-Type"));
  }
}
