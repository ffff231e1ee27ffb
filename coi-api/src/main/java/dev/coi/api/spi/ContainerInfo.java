package dev.coi.api.spi;

import dev.coi.api.value.ValueStyle;
import java.util.Map;
import org.immutables.value.Value;

/** What a backend knows of one container: its name, state and coi's labels on it. */
@Value.Immutable
@ValueStyle
public abstract class ContainerInfo {
  ContainerInfo() {}

  public abstract String name();

  public abstract ContainerStatus status();

  public abstract boolean ephemeral();

  /** coi's labels, by plain key (see {@link ContainerSpec#labels()}). */
  public abstract Map<String, String> labels();

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link ContainerInfo}. */
  public static class Builder extends ImmutableContainerInfo.Builder {
    Builder() {}
  }
}
