package dev.coi.api;

import dev.coi.api.value.ValueStyle;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * Resource limits of a session's container, in the backend's own notation (Incus: {@code
 * limits.cpu}, {@code limits.memory}, {@code limits.processes}). What is left out is unlimited, or
 * taken from configuration.
 *
 * <pre>{@code
 * Sessions.builder().workspace(ws).limits(Limits.builder().cpu("2").memory("4GiB").build())
 * }</pre>
 */
@Value.Immutable
@ValueStyle
public abstract class Limits {
  Limits() {}

  /** CPUs: a count ({@code "2"}) or a set ({@code "0-1"}). */
  public abstract Optional<String> cpu();

  /** Memory: {@code "4GiB"}, {@code "512MiB"} or a share such as {@code "50%"}. */
  public abstract Optional<String> memory();

  /** The most processes the container may run at once. */
  public abstract Optional<String> processes();

  public static Builder builder() {
    return new Builder();
  }

  @Value.Check
  void check() {
    cpu().ifPresent(v -> nonBlank("cpu", v));
    memory().ifPresent(v -> nonBlank("memory", v));
    processes().ifPresent(v -> nonBlank("processes", v));
  }

  private static void nonBlank(String name, String value) {
    if (value.isBlank()) {
      throw new InvalidSpecException(name + " limit is blank: give a value or leave it out");
    }
  }

  /** Builds {@link Limits}. */
  public static class Builder extends ImmutableLimits.Builder {
    Builder() {}
  }
}
