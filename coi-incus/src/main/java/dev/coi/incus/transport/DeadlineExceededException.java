package dev.coi.incus.transport;

import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A request whose complete response did not arrive within the request's {@link
 * HttpRequest#timeout()}: a daemon that does not answer, or answers a byte at a time.
 */
public final class DeadlineExceededException extends SocketTimeoutException {
  private static final long serialVersionUID = 1L;
  private final transient Duration timeout;

  DeadlineExceededException(Duration timeout) {
    super("no complete response within " + seconds(timeout));
    this.timeout = timeout;
  }

  public Duration timeout() {
    return timeout;
  }

  public static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }
}
