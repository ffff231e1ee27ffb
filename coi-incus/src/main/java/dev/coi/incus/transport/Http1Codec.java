package dev.coi.incus.transport;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Writes HTTP/1.1 requests and reads responses on a raw byte stream: what the unix socket needs,
 * since {@code java.net.http} cannot reach one. Bodies come with {@code Content-Length} or chunked;
 * both are handled.
 */
final class Http1Codec {
  private static final int MAX_HEADER_LINE = 64 * 1024;

  private Http1Codec() {}

  static void writeRequest(HttpRequest request, OutputStream out) throws IOException {
    writeHead(request, request.body().length, out);
    out.write(request.body());
    out.flush();
  }

  /**
   * Writes the head of a request whose body is streamed afterwards with {@link #writeBody}, asking
   * the server with {@code Expect: 100-continue} to confirm before the body is sent: a daemon that
   * refuses the request at once then answers without the upload, and without dropping the
   * connection under it.
   */
  static void writeHeadExpectingContinue(HttpRequest request, long contentLength, OutputStream out)
      throws IOException {
    Map<String, String> headers = new LinkedHashMap<>(request.headers());
    headers.put("Expect", "100-continue");
    writeHead(
        new HttpRequest(request.method(), request.path(), headers, new byte[0], request.timeout()),
        contentLength,
        out);
    out.flush();
  }

  /**
   * Streams a body; one that breaks its announced length fails with an {@link IOException}, so that
   * the connection is dropped, not reused.
   */
  static void writeBody(RequestBody body, OutputStream out) throws IOException {
    long length = body.length();
    LengthCheckingStream checked = new LengthCheckingStream(out, length);
    body.writeTo(checked);
    if (checked.written != length) {
      throw new IOException(
          "request body ended after " + checked.written + " of " + length + " bytes");
    }
    out.flush();
  }

  private static void writeHead(HttpRequest request, long contentLength, OutputStream out)
      throws IOException {
    StringBuilder head = new StringBuilder(256);
    head.append(request.method()).append(' ').append(request.path()).append(" HTTP/1.1\r\n");
    // The daemon rejects requests without a Host header; any name does.
    head.append("Host: incus\r\n");
    head.append("User-Agent: coi\r\n");
    for (Map.Entry<String, String> h : request.headers().entrySet()) {
      head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
    }
    head.append("Content-Length: ").append(contentLength).append("\r\n\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Passes bytes through, refusing any beyond the announced length. */
  private static final class LengthCheckingStream extends FilterOutputStream {
    private final long length;
    long written;

    LengthCheckingStream(OutputStream out, long length) {
      super(out);
      this.length = length;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (written + len > length) {
        throw new IOException("request body longer than its announced " + length + " bytes");
      }
      out.write(b, off, len);
      written += len;
    }

    @Override
    public void close() {
      // The connection outlives the body: closing it here would end the exchange.
    }
  }

  /** Reads one response. {@link EOFException} when the peer closed before sending anything. */
  static HttpResponse readResponse(InputStream in, String method) throws IOException {
    String statusLine = readLine(in);
    if (statusLine == null) {
      throw new EOFException("connection closed before a response");
    }
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP response: " + statusLine);
    }
    int status;
    try {
      status = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IOException("bad HTTP status line: " + statusLine, e);
    }
    Map<String, String> headers = new HashMap<>();
    for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.put(
            line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).trim());
      }
    }
    byte[] body;
    if ("HEAD".equals(method) || status == 204 || status == 304 || status / 100 == 1) {
      body = new byte[0];
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = readChunked(in);
    } else if (headers.containsKey("content-length")) {
      body = readExactly(in, Long.parseLong(headers.get("content-length")));
    } else {
      body = in.readAllBytes();
      headers.put("connection", "close");
    }
    return new HttpResponse(status, headers, body);
  }

  /** True when the connection may carry another request after this response. */
  static boolean keepAlive(HttpResponse response) {
    return !"close".equalsIgnoreCase(response.header("connection"));
  }

  private static byte[] readChunked(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = readLine(in);
      if (sizeLine == null) {
        throw new EOFException("connection closed inside a chunked body");
      }
      int semicolon = sizeLine.indexOf(';');
      String hex = (semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim();
      long size;
      try {
        size = Long.parseLong(hex, 16);
      } catch (NumberFormatException e) {
        throw new IOException("bad chunk size: " + sizeLine, e);
      }
      if (size == 0) {
        // Trailers, if any, end with an empty line.
        for (String t = readLine(in); t != null && !t.isEmpty(); t = readLine(in)) {}
        return out.toByteArray();
      }
      out.write(readExactly(in, size));
      String crlf = readLine(in);
      if (crlf == null || !crlf.isEmpty()) {
        throw new IOException("chunk not followed by CRLF");
      }
    }
  }

  private static byte[] readExactly(InputStream in, long length) throws IOException {
    if (length > Integer.MAX_VALUE - 8) {
      throw new IOException("response body too large: " + length + " bytes");
    }
    byte[] data = in.readNBytes((int) length);
    if (data.length != length) {
      throw new EOFException("body cut short: " + data.length + " of " + length + " bytes");
    }
    return data;
  }

  /** A CRLF- (or LF-) terminated line without its terminator; null at end of stream. */
  static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(64);
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int len =
            bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
      }
      if (line.size() >= MAX_HEADER_LINE) {
        throw new IOException("header line longer than " + MAX_HEADER_LINE + " bytes");
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }
}
