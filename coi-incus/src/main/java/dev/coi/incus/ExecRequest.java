package dev.coi.incus;

import dev.coi.api.internal.ValueStyle;
import java.util.List;
import java.util.Map;
import org.immutables.value.Value;

/** A command to run in an instance: its argument vector, user, group, directory and environment. */
@Value.Immutable
@ValueStyle
public abstract class ExecRequest {
  ExecRequest() {}

  public abstract List<String> command();

  @Value.Default
  public int user() {
    return 0;
  }

  @Value.Default
  public int group() {
    return 0;
  }

  @Value.Default
  public String cwd() {
    return "/";
  }

  public abstract Map<String, String> environment();

  public static Builder builder() {
    return new Builder();
  }

  /** Shorthand: the command as root in {@code /}. */
  public static ExecRequest of(String... command) {
    return builder().addCommand(command).build();
  }

  @Value.Check
  void check() {
    if (command().isEmpty()) {
      throw new IllegalArgumentException("an exec needs a command");
    }
  }

  /** Builds an {@link ExecRequest}. */
  public static class Builder extends ImmutableExecRequest.Builder {
    Builder() {}
  }
}
