package dev.coi.incus.transport;

import java.io.IOException;

/**
 * The daemon answered a websocket upgrade with an HTTP error (a wrong secret, an operation that is
 * gone) rather than {@code 101}: its response is kept so that the caller can map the daemon's own
 * error envelope.
 */
public final class WebSocketRefusedException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient HttpResponse response;

  WebSocketRefusedException(String path, HttpResponse response) {
    super("the daemon refused a websocket on " + path + ": HTTP " + response.status());
    this.response = response;
  }

  /** The daemon's answer to the upgrade request. */
  public HttpResponse response() {
    return response;
  }
}
