package dev.coi.api.spi;

import dev.coi.api.value.ValueStyle;
import org.immutables.value.Value;

/** Whether a backend can be used here, and if not, why not in words a user can act on. */
@Value.Immutable
@ValueStyle
public abstract class Availability {
  Availability() {}

  public abstract boolean isAvailable();

  /** Empty when available; otherwise what is missing and what to do about it. */
  public abstract String reason();

  public static Availability available() {
    return ImmutableAvailability.builder().available(true).reason("").build();
  }

  public static Availability unavailable(String reason) {
    return ImmutableAvailability.builder().available(false).reason(reason).build();
  }
}
