package dev.coi.incus;

import dev.coi.api.CoiException;

/**
 * A copy out of an instance was refused because an entry would have been written outside the target
 * directory on the host: a name such as {@code ..}, or a symlink leading out of the tree. The
 * message names the entry; nothing outside the target was written.
 */
public class PathEscapeException extends CoiException {
  private static final long serialVersionUID = 1L;

  public PathEscapeException(String message) {
    super(message);
  }
}
