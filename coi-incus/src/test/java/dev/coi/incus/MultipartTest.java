package dev.coi.incus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.incus.transport.TestBodies;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The multipart bodies of split images: what is sent on import, what is read on export. */
class MultipartTest {

  private static String written(MultipartBody body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    body.writeTo(out);
    assertEquals(body.length(), out.size(), "the announced length is what is written");
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void encodesFilePartsAsGosMultipartWriterDoes() throws IOException {
    MultipartBody body =
        new MultipartBody(
            "B0UND",
            List.of(
                new MultipartBody.Part("metadata", "meta.tar", TestBodies.text("META")),
                new MultipartBody.Part("rootfs", "rootfs.tar", TestBodies.text("ROOT"))));

    assertEquals("multipart/form-data; boundary=B0UND", body.contentType());
    assertEquals(
        "--B0UND\r\n"
            + "Content-Disposition: form-data; name=\"metadata\"; filename=\"meta.tar\"\r\n"
            + "Content-Type: application/octet-stream\r\n"
            + "\r\n"
            + "META\r\n"
            + "--B0UND\r\n"
            + "Content-Disposition: form-data; name=\"rootfs\"; filename=\"rootfs.tar\"\r\n"
            + "Content-Type: application/octet-stream\r\n"
            + "\r\n"
            + "ROOT\r\n"
            + "--B0UND--\r\n",
        written(body));
  }

  @Test
  void fileNamesCannotBreakOutOfTheirHeader() throws IOException {
    MultipartBody body =
        new MultipartBody(
            "B",
            List.of(
                new MultipartBody.Part(
                    "metadata", "a\"b\\c\r\nX-Evil: 1.tar", TestBodies.text("x"))));

    String text = written(body);
    assertTrue(text.contains("filename=\"a\\\"b\\\\cX-Evil: 1.tar\"\r\n"), text);
  }

  @Test
  void randomBoundariesDiffer() {
    List<MultipartBody.Part> parts = List.of(new MultipartBody.Part("m", "m", TestBodies.text("")));
    assertTrue(
        !MultipartBody.of(parts).contentType().equals(MultipartBody.of(parts).contentType()));
  }

  @Test
  void whatIsEncodedParsesBackToTheSameParts() throws IOException {
    String content = "--B\r\n not a delimiter: --B without CRLF before it";
    MultipartBody body =
        new MultipartBody(
            "B",
            List.of(
                new MultipartBody.Part("metadata", "m.tar", TestBodies.text(content)),
                new MultipartBody.Part("rootfs", "r.tar", TestBodies.text(""))));
    byte[] encoded = written(body).getBytes(StandardCharsets.UTF_8);

    List<MultipartParts.Part> parts = MultipartParts.parse(encoded, "B");

    assertEquals(2, parts.size());
    assertEquals("metadata", parts.get(0).name());
    assertEquals("m.tar", parts.get(0).filename());
    assertEquals(
        content,
        new String(encoded, parts.get(0).offset(), parts.get(0).length(), StandardCharsets.UTF_8));
    assertEquals("rootfs", parts.get(1).name());
    assertEquals(0, parts.get(1).length());
  }

  @Test
  void readsAnExportAsIncusSendsItWithItsClosingDelimiterTwice() {
    String export =
        "--xyz\r\n"
            + "Content-Disposition: form-data; name=\"metadata\"; filename=\"meta-ab.tar\"\r\n"
            + "Content-Type: application/octet-stream\r\n\r\n"
            + "M\r\n"
            + "--xyz\r\n"
            + "Content-Disposition: form-data; name=\"rootfs\"; filename=\"ab.tar\"\r\n"
            + "Content-Type: application/octet-stream\r\n\r\n"
            + "RR\r\n"
            + "--xyz--\r\n\r\n--xyz--\r\n";

    List<MultipartParts.Part> parts =
        MultipartParts.parse(export.getBytes(StandardCharsets.US_ASCII), "xyz");

    assertEquals(2, parts.size());
    assertEquals("ab.tar", parts.get(1).filename());
    assertEquals(2, parts.get(1).length());
  }

  @Test
  void theBoundaryComesFromTheContentType() {
    assertEquals(
        Optional.of("b35358fc"), MultipartParts.boundary("multipart/form-data; boundary=b35358fc"));
    assertEquals(
        Optional.of("a b"), MultipartParts.boundary("multipart/form-data; boundary=\"a b\""));
    assertEquals(Optional.empty(), MultipartParts.boundary("application/octet-stream"));
    assertEquals(Optional.empty(), MultipartParts.boundary(null));
  }
}
