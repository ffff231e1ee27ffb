package dev.coi.incus;

import dev.coi.incus.transport.RequestBody;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A {@code multipart/form-data} body of file parts, streamed part by part, with its length known up
 * front so that it goes out with a {@code Content-Length}. Laid out as Go's {@code mime/multipart}
 * writer does, which is what the daemon reads.
 */
final class MultipartBody implements RequestBody {
  /** One file part: the form field's name, the file name it is sent under, and its bytes. */
  record Part(String name, String filename, RequestBody content) {}

  private final String boundary;
  private final List<Part> parts;
  private final List<byte[]> heads = new ArrayList<>();
  private final byte[] tail;

  MultipartBody(String boundary, List<Part> parts) {
    this.boundary = boundary;
    this.parts = List.copyOf(parts);
    for (int i = 0; i < this.parts.size(); i++) {
      Part part = this.parts.get(i);
      String head =
          (i == 0 ? "" : "\r\n")
              + "--"
              + boundary
              + "\r\n"
              + "Content-Disposition: form-data; name=\""
              + quoted(part.name())
              + "\"; filename=\""
              + quoted(part.filename())
              + "\"\r\n"
              + "Content-Type: application/octet-stream\r\n\r\n";
      heads.add(head.getBytes(StandardCharsets.UTF_8));
    }
    tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** A body with a fresh random boundary. */
  static MultipartBody of(List<Part> parts) {
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    return new MultipartBody(HexFormat.of().formatHex(random), parts);
  }

  String contentType() {
    return "multipart/form-data; boundary=" + boundary;
  }

  @Override
  public long length() {
    long length = tail.length;
    for (int i = 0; i < parts.size(); i++) {
      length += heads.get(i).length + parts.get(i).content().length();
    }
    return length;
  }

  @Override
  public void writeTo(OutputStream out) throws IOException {
    for (int i = 0; i < parts.size(); i++) {
      out.write(heads.get(i));
      parts.get(i).content().writeTo(out);
    }
    out.write(tail);
  }

  /** Escapes as Go does for header parameters; line breaks could end the header, so they go. */
  private static String quoted(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\r", "").replace("\n", "");
  }
}
