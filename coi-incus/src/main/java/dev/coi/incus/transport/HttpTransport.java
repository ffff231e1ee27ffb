package dev.coi.incus.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** Carries HTTP requests to one Incus daemon. Implementations are safe for concurrent use. */
public interface HttpTransport extends AutoCloseable {

  /**
   * Sends a request and reads the whole response. Throws {@link IOException} when the daemon cannot
   * be reached or the connection breaks; HTTP error statuses are returned, not thrown.
   */
  HttpResponse send(HttpRequest request) throws IOException;

  /**
   * Sends a request whose body is written by {@code body} ({@code request.body()} is ignored), for
   * uploads too large to hold in memory. This default buffers the body and calls {@link
   * #send(HttpRequest)}; transports that can stream override it.
   */
  default HttpResponse send(HttpRequest request, RequestBody body) throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    body.writeTo(buffer);
    return send(
        new HttpRequest(
            request.method(),
            request.path(),
            request.headers(),
            buffer.toByteArray(),
            request.timeout()));
  }

  /**
   * Opens a websocket on a path of the daemon ({@code GET} with an upgrade), such as an exec file
   * descriptor's {@code /1.0/operations/<id>/websocket?secret=<secret>}.
   */
  default WebSocket openWebSocket(String path) throws IOException {
    throw new UnsupportedOperationException("websockets are not implemented for " + endpoint());
  }

  /** Where requests go, for messages ("unix socket /var/lib/incus/unix.socket"). */
  String endpoint();

  @Override
  void close();
}
