package dev.coi.api;

/**
 * A session was asked for with input that cannot work (a workspace that does not exist, a malformed
 * environment variable, a slot out of range). Raised before anything is created.
 */
public class InvalidSpecException extends CoiException {
  private static final long serialVersionUID = 1L;

  public InvalidSpecException(String message) {
    super(message);
  }

  public InvalidSpecException(String message, Throwable cause) {
    super(message, cause);
  }
}
