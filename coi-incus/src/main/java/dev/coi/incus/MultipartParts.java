package dev.coi.incus;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Splits a {@code multipart/form-data} body held in memory into its parts, without copying them:
 * how the daemon sends a split image's metadata and rootfs tarballs on export. Anything after the
 * closing delimiter is ignored (Incus 6.0 writes the delimiter twice).
 */
final class MultipartParts {
  /** One part: its form name and file name, and where its bytes lie in the body. */
  record Part(String name, String filename, int offset, int length) {}

  private MultipartParts() {}

  /** The {@code boundary} parameter of a {@code multipart/*} content type, if it is one. */
  static Optional<String> boundary(String contentType) {
    if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/")) {
      return Optional.empty();
    }
    return Optional.ofNullable(parameters(contentType).get("boundary"));
  }

  /**
   * The parameters of a header value such as {@code form-data; name="metadata"}, keys lower-case.
   */
  static Map<String, String> parameters(String headerValue) {
    Map<String, String> result = new LinkedHashMap<>();
    String[] pieces = headerValue.split(";");
    for (int i = 1; i < pieces.length; i++) {
      int eq = pieces[i].indexOf('=');
      if (eq < 0) {
        continue;
      }
      String key = pieces[i].substring(0, eq).trim().toLowerCase(Locale.ROOT);
      String value = pieces[i].substring(eq + 1).trim();
      if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
        value = value.substring(1, value.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
      }
      result.put(key, value);
    }
    return result;
  }

  static List<Part> parse(byte[] body, String boundary) {
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
    byte[] separator = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
    int at = indexOf(body, delimiter, 0);
    if (at < 0) {
      throw new IllegalArgumentException("no multipart boundary in the body");
    }
    List<Part> parts = new ArrayList<>();
    int cursor = at + delimiter.length;
    while (true) {
      if (startsWith(body, cursor, "--")) {
        return parts;
      }
      if (!startsWith(body, cursor, "\r\n")) {
        throw new IllegalArgumentException("malformed multipart body at byte " + cursor);
      }
      int headersStart = cursor + 2;
      int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), headersStart);
      if (headersEnd < 0) {
        throw new IllegalArgumentException("multipart part without an end of headers");
      }
      int contentStart = headersEnd + 4;
      int contentEnd = indexOf(body, separator, contentStart);
      if (contentEnd < 0) {
        throw new IllegalArgumentException("multipart body cut short");
      }
      Map<String, String> disposition =
          parameters(
              header(
                  new String(body, headersStart, headersEnd - headersStart, StandardCharsets.UTF_8),
                  "content-disposition"));
      parts.add(
          new Part(
              disposition.getOrDefault("name", ""),
              disposition.getOrDefault("filename", ""),
              contentStart,
              contentEnd - contentStart));
      cursor = contentEnd + separator.length;
    }
  }

  private static String header(String headers, String name) {
    for (String line : headers.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return "";
  }

  private static boolean startsWith(byte[] body, int at, String ascii) {
    if (at + ascii.length() > body.length) {
      return false;
    }
    for (int i = 0; i < ascii.length(); i++) {
      if (body[at + i] != ascii.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = from; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
