package dev.coi.incus.transport;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;

/**
 * A response whose body is read as a stream, for content too large to hold in memory (a file pulled
 * out of an instance, an exported image). Close it: a body read to its end gives the connection
 * back for reuse, one left unread drops it. Reads are bounded by the request's deadline, not by a
 * size.
 */
public final class StreamedResponse implements AutoCloseable {
  private final int status;
  private final Map<String, String> headers;
  private final InputStream body;

  public StreamedResponse(int status, Map<String, String> headers, InputStream body) {
    this.status = status;
    this.headers = headers;
    this.body = body;
  }

  public int status() {
    return status;
  }

  public String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  public Map<String, String> headers() {
    return headers;
  }

  /** The body; read it once. */
  public InputStream body() {
    return body;
  }

  /**
   * The rest of the body in memory, as an {@link HttpResponse}, for answers that are small by
   * nature (an error envelope, a directory listing); refused past {@code maxBytes}.
   */
  public HttpResponse buffer(long maxBytes) throws IOException {
    byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
    if (bytes.length > maxBytes) {
      throw new ResponseTooLargeException("body", maxBytes);
    }
    return new HttpResponse(status, headers, bytes);
  }

  @Override
  public void close() throws IOException {
    body.close();
  }
}
