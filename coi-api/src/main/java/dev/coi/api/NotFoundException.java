package dev.coi.api;

/** Something named in a request does not exist on the backend (an instance, an image, a file). */
public class NotFoundException extends BackendException {
  private static final long serialVersionUID = 1L;

  public NotFoundException(String message) {
    super(404, message);
  }
}
