package dev.coi.api;

/**
 * No container backend can be reached: the daemon is not running, its socket is missing or not
 * accessible, or no backend is on the class path. The message says what was tried and what to do.
 */
public class BackendUnavailableException extends CoiException {
  private static final long serialVersionUID = 1L;

  public BackendUnavailableException(String message) {
    super(message);
  }

  public BackendUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
