package dev.coi.api;

/**
 * A session to resume or look up is not saved: no session of that id, or none yet for the
 * workspace. Raised before anything is created.
 */
public class SessionNotFoundException extends CoiException {
  private static final long serialVersionUID = 1L;

  public SessionNotFoundException(String message) {
    super(message);
  }
}
