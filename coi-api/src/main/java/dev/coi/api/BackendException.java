package dev.coi.api;

/**
 * The container backend refused or failed a request. Carries the backend's own status code (the
 * HTTP status for Incus) and its message, and says which request failed.
 */
public class BackendException extends CoiException {
  private static final long serialVersionUID = 1L;
  private final int status;

  public BackendException(int status, String message) {
    super(message);
    this.status = status;
  }

  public BackendException(int status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /** The backend's status code for the failed request (for Incus, the HTTP status). */
  public int status() {
    return status;
  }
}
