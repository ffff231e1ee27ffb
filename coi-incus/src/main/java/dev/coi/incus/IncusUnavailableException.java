package dev.coi.incus;

import dev.coi.api.BackendUnavailableException;

/**
 * The Incus daemon cannot be reached: its socket is missing, nothing listens on it, or this user
 * may not open it. The message names the socket and what to do.
 */
public class IncusUnavailableException extends BackendUnavailableException {
  private static final long serialVersionUID = 1L;

  public IncusUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
