package dev.coi.incus.transport;

import java.io.IOException;

/**
 * A response whose headers or in-memory body went over the {@link TransportLimits}: it was refused
 * and its connection dropped.
 */
public final class ResponseTooLargeException extends IOException {
  private static final long serialVersionUID = 1L;

  ResponseTooLargeException(String part, long limit) {
    super(
        (part.equals("headers") ? "response headers" : "a response " + part)
            + " over the limit of "
            + TransportLimits.size(limit));
  }
}
