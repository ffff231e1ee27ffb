package dev.coi.core.config;

/**
 * What is wrong with one value ("must be an integer, not a string"), before the reader knows to say
 * where it came from; turned into a {@link dev.coi.api.ConfigException} with the file and line or
 * the variable's name.
 */
final class ValueProblem extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ValueProblem(String message) {
    super(message, null, false, false);
  }
}
