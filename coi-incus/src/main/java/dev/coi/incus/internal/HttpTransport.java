package dev.coi.incus.internal;

import java.io.IOException;

/** Carries HTTP requests to one Incus daemon. Implementations are safe for concurrent use. */
interface HttpTransport extends AutoCloseable {

  /**
   * Sends a request and reads the whole response. Throws {@link IOException} when the daemon cannot
   * be reached or the connection breaks; HTTP error statuses are returned, not thrown.
   */
  HttpResponse send(HttpRequest request) throws IOException;

  /** Where requests go, for messages ("unix socket /var/lib/incus/unix.socket"). */
  String endpoint();

  @Override
  void close();
}
