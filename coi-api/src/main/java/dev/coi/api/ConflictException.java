package dev.coi.api;

/** A request collides with something that exists: a container of that name, a slot that is busy. */
public class ConflictException extends BackendException {
  private static final long serialVersionUID = 1L;

  public ConflictException(String message) {
    super(409, message);
  }
}
