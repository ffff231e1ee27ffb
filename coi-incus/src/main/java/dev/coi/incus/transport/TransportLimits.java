package dev.coi.incus.transport;

import java.time.Duration;

/**
 * The bounds a transport keeps against a daemon that misbehaves (or is not the daemon): how much of
 * a response it reads, and how long a websocket upgrade may take. How long a whole request may take
 * is the request's own {@link HttpRequest#timeout()} (30 s unless the caller says otherwise).
 *
 * <ul>
 *   <li>{@code maxHeaderBytes}: the status line and headers of one response, 64 KiB by default (the
 *       daemon's own are under 1 KiB).
 *   <li>{@code maxBodyBytes}: a response body read into memory, 64 MiB by default (an instance list
 *       of a few hundred instances is a few MiB). Larger content, such as a file pulled out of an
 *       instance, is read as a stream with {@link HttpTransport#open(HttpRequest)}, which has no
 *       size bound.
 *   <li>{@code webSocketOpenTimeout}: connecting and upgrading one websocket, 5 s by default (the
 *       daemon itself gives an exec's clients 5 s to connect all their websockets).
 * </ul>
 */
public record TransportLimits(
    int maxHeaderBytes, long maxBodyBytes, Duration webSocketOpenTimeout) {
  public static final TransportLimits DEFAULTS =
      new TransportLimits(64 * 1024, 64L * 1024 * 1024, Duration.ofSeconds(5));

  public TransportLimits {
    if (maxHeaderBytes < 1024 || maxBodyBytes < 1024) {
      throw new IllegalArgumentException(
          "transport limits under 1 KiB cannot hold an Incus answer: "
              + maxHeaderBytes
              + ", "
              + maxBodyBytes);
    }
    if (webSocketOpenTimeout.isNegative() || webSocketOpenTimeout.isZero()) {
      throw new IllegalArgumentException("a websocket open timeout must be positive");
    }
  }

  /** A size for messages: "64 KiB", "64 MiB", "1500 bytes". */
  static String size(long bytes) {
    if (bytes % (1024 * 1024) == 0) {
      return bytes / (1024 * 1024) + " MiB";
    }
    if (bytes % 1024 == 0) {
      return bytes / 1024 + " KiB";
    }
    return bytes + " bytes";
  }
}
