package dev.coi.incus.transport;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
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
  private static final class LengthCheckingStream extends BlockFilterOutputStream {
    private final long length;
    long written;

    LengthCheckingStream(OutputStream out, long length) {
      super(out);
      this.length = length;
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

  /** Reads one response whole, within the default {@link TransportLimits}. */
  static HttpResponse readResponse(InputStream in, String method) throws IOException {
    return readResponse(in, method, TransportLimits.DEFAULTS);
  }

  /**
   * Reads one response whole. {@link EOFException} when the peer closed before sending anything;
   * {@link ResponseTooLargeException} past the limits, with the rest left unread (so the connection
   * must be dropped).
   */
  static HttpResponse readResponse(InputStream in, String method, TransportLimits limits)
      throws IOException {
    Head head = readHead(in, limits.maxHeaderBytes());
    return new HttpResponse(
        head.status(), head.headers(), readAll(body(in, method, head), limits.maxBodyBytes()));
  }

  /** A body read whole; refused past {@code max} bytes, before reading when it says its length. */
  static byte[] readAll(Body body, long max) throws IOException {
    if (body.length > max) {
      throw new ResponseTooLargeException("body", max);
    }
    byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
    if (bytes.length > max) {
      throw new ResponseTooLargeException("body", max);
    }
    return bytes;
  }

  /** A response's status and headers (names lower-case). */
  record Head(int status, Map<String, String> headers) {}

  /**
   * Reads a status line and headers, at most {@code maxBytes} of them. {@link EOFException} when
   * the peer closed before sending anything.
   */
  static Head readHead(InputStream in, int maxBytes) throws IOException {
    int[] budget = {maxBytes};
    String statusLine = readHeadLine(in, budget, maxBytes);
    if (statusLine == null) {
      throw new EOFException("connection closed before a response");
    }
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP response: " + shorten(statusLine));
    }
    int status;
    try {
      status = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IOException("bad HTTP status line: " + shorten(statusLine), e);
    }
    Map<String, String> headers = new HashMap<>();
    String line;
    while ((line = readHeadLine(in, budget, maxBytes)) != null && !line.isEmpty()) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.put(
            line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).trim());
      }
    }
    if (line == null) {
      throw new EOFException("connection closed inside the response headers");
    }
    return new Head(status, headers);
  }

  private static String readHeadLine(InputStream in, int[] budget, int maxBytes)
      throws IOException {
    String line;
    try {
      line = readLine(in, Math.max(0, budget[0]));
    } catch (ResponseTooLargeException e) {
      throw new ResponseTooLargeException("headers", maxBytes);
    }
    if (line == null) {
      return null;
    }
    budget[0] -= line.length() + 2;
    if (budget[0] < 0) {
      throw new ResponseTooLargeException("headers", maxBytes);
    }
    return line;
  }

  /**
   * The body of a response whose head was just read, as a stream that ends where the body ends: by
   * {@code Content-Length}, chunked, or (neither) at the end of the connection.
   */
  static Body body(InputStream in, String method, Head head) throws IOException {
    int status = head.status();
    if ("HEAD".equals(method) || status == 204 || status == 304 || status / 100 == 1) {
      return new Body(in, Body.FIXED, 0);
    }
    if ("chunked".equalsIgnoreCase(head.headers().get("transfer-encoding"))) {
      return new Body(in, Body.CHUNKED, -1);
    }
    String length = head.headers().get("content-length");
    if (length != null) {
      long n;
      try {
        n = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        throw new IOException("bad Content-Length: " + shorten(length), e);
      }
      if (n < 0) {
        throw new IOException("bad Content-Length: " + n);
      }
      return new Body(in, Body.FIXED, n);
    }
    head.headers().put("connection", "close");
    return new Body(in, Body.TO_EOF, -1);
  }

  /** True when the connection may carry another request after this response. */
  static boolean keepAlive(HttpResponse response) {
    return !"close".equalsIgnoreCase(response.header("connection"));
  }

  /**
   * A body as a stream. {@link #ended()} says that it was read to its end, after which the
   * connection holds nothing more of this response.
   */
  static final class Body extends BlockInputStream {
    static final int FIXED = 0;
    static final int CHUNKED = 1;
    static final int TO_EOF = 2;
    private static final int MAX_CHUNK_LINE = 4096;

    private final InputStream in;
    private final int kind;

    /** The announced length, or -1. */
    final long length;

    /** Bytes left in the body (FIXED) or the current chunk (CHUNKED). */
    private long left;

    private boolean ended;

    Body(InputStream in, int kind, long length) {
      this.in = in;
      this.kind = kind;
      this.length = length;
      this.left = kind == FIXED ? length : 0;
      this.ended = kind == FIXED && length == 0;
    }

    boolean ended() {
      return ended;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (ended) {
        return -1;
      }
      if (kind == TO_EOF) {
        int n = in.read(b, off, len);
        ended = n < 0;
        return n;
      }
      if (kind == CHUNKED && left == 0 && !nextChunk()) {
        ended = true;
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) {
        throw new EOFException(
            kind == FIXED
                ? "body cut short: " + (length - left) + " of " + length + " bytes"
                : "connection closed inside a chunked body");
      }
      left -= n;
      if (left == 0) {
        if (kind == FIXED) {
          ended = true;
        } else {
          String crlf = readLine(in, MAX_CHUNK_LINE);
          if (crlf == null || !crlf.isEmpty()) {
            throw new IOException("chunk not followed by CRLF");
          }
        }
      }
      return n;
    }

    /** Reads a chunk's size line; false at the last chunk (its trailers read). */
    private boolean nextChunk() throws IOException {
      String sizeLine = readLine(in, MAX_CHUNK_LINE);
      if (sizeLine == null) {
        throw new EOFException("connection closed inside a chunked body");
      }
      int semicolon = sizeLine.indexOf(';');
      String hex = (semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim();
      long size;
      try {
        size = Long.parseLong(hex, 16);
      } catch (NumberFormatException e) {
        throw new IOException("bad chunk size: " + shorten(sizeLine), e);
      }
      if (size < 0) {
        throw new IOException("bad chunk size: " + shorten(sizeLine));
      }
      if (size == 0) {
        // Trailers, if any, end with an empty line.
        int trailers = 0;
        for (String t = readLine(in, MAX_CHUNK_LINE); t != null && !t.isEmpty(); ) {
          if (++trailers > 64) {
            throw new IOException("more than 64 trailer lines after a chunked body");
          }
          t = readLine(in, MAX_CHUNK_LINE);
        }
        return false;
      }
      left = size;
      return true;
    }
  }

  private static String shorten(String text) {
    return text.length() <= 80 ? text : text.substring(0, 80) + "…";
  }

  /** A CRLF- (or LF-) terminated line without its terminator; null at end of stream. */
  static String readLine(InputStream in) throws IOException {
    return readLine(in, MAX_HEADER_LINE);
  }

  /** As {@link #readLine(InputStream)}, refusing a line longer than {@code max} bytes. */
  static String readLine(InputStream in, int max) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(64);
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int len =
            bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
      }
      if (line.size() >= max) {
        throw new ResponseTooLargeException("line", max);
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }
}
