package dev.coi.incus.transport;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A request body written straight to the connection, so that an upload (a file, an image) never has
 * to sit in memory whole. Sent with {@link HttpTransport#send(HttpRequest, RequestBody)}.
 */
public interface RequestBody {

  /** The exact number of bytes {@link #writeTo} writes, sent as {@code Content-Length}. */
  long length();

  /**
   * Writes the body. A body that writes more or fewer bytes than {@link #length()} fails the
   * request rather than desynchronising the connection.
   */
  void writeTo(OutputStream out) throws IOException;
}
