package dev.coi.api;

/**
 * The root of every error coi raises. Unchecked: callers catch the subclass they can act on and let
 * the rest reach the top, where {@link #getMessage()} is a one-line explanation fit for a user.
 */
public class CoiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CoiException(String message) {
    super(message);
  }

  public CoiException(String message, Throwable cause) {
    super(message, cause);
  }
}
