package dev.coi.incus.transport;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** Carries HTTP requests to one Incus daemon. Implementations are safe for concurrent use. */
public interface HttpTransport extends AutoCloseable {

  /**
   * Sends a request and reads the whole response. Throws {@link IOException} when the daemon cannot
   * be reached or the connection breaks; HTTP error statuses are returned, not thrown.
   *
   * <p>Bounds (see {@link TransportLimits}): the complete response must arrive within {@code
   * request.timeout()} ({@link DeadlineExceededException}), its headers and body must fit the
   * transport's limits ({@link ResponseTooLargeException}). A request is sent a second time only
   * when the first provably did not reach the daemon, or when it is idempotent (GET, HEAD, PUT,
   * DELETE) and failed on a reused connection before any byte of the answer: a {@code POST} whose
   * connection breaks after it was written is never sent again, since the daemon may have acted on
   * it.
   */
  HttpResponse send(HttpRequest request) throws IOException;

  /**
   * Sends a request and returns as soon as the response's head is in: the body is read from the
   * result as a stream, with no size bound, within the request's deadline. Retries as {@link
   * #send(HttpRequest)} does. This default reads the whole body first; transports that can stream
   * override it.
   */
  default StreamedResponse open(HttpRequest request) throws IOException {
    HttpResponse whole = send(request);
    return new StreamedResponse(
        whole.status(), whole.headers(), new ByteArrayInputStream(whole.body()));
  }

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
