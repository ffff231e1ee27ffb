package dev.coi.api;

import dev.coi.api.value.ValueStyle;
import org.immutables.value.Value;

/**
 * The size of a terminal, in characters. Giving one to {@link Session#exec(java.util.List,
 * TerminalSize)} runs the command on a pseudo-terminal of that size.
 */
@Value.Immutable
@ValueStyle
public abstract class TerminalSize {
  TerminalSize() {}

  public abstract int columns();

  public abstract int rows();

  public static TerminalSize of(int columns, int rows) {
    return ImmutableTerminalSize.builder().columns(columns).rows(rows).build();
  }

  @Value.Check
  void check() {
    if (columns() < 1 || rows() < 1) {
      throw new IllegalArgumentException(
          "terminal size " + columns() + "x" + rows() + " is empty: give at least 1x1");
    }
  }
}
