package dev.coi.api.spi;

import dev.coi.api.TerminalSize;
import dev.coi.api.value.ValueStyle;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.immutables.value.Value;

/** One command to run in a container: its argument vector, user, directory and environment. */
@Value.Immutable
@ValueStyle
public abstract class ExecSpec {
  ExecSpec() {}

  /** The argument vector; the first element is the program. Never passed through a shell. */
  public abstract List<String> command();

  @Value.Default
  public int uid() {
    return 0;
  }

  @Value.Default
  public int gid() {
    return 0;
  }

  @Value.Default
  public String cwd() {
    return "/";
  }

  // Values may be secrets: toString() leaves them out.
  @Value.Redacted
  public abstract Map<String, String> environment();

  /**
   * A pseudo-terminal of this size to run on; stdout and stderr are then one stream. Only {@link
   * ContainerBackend#start} runs a command on a terminal; {@link ContainerBackend#exec} refuses it.
   */
  public abstract Optional<TerminalSize> terminal();

  public static Builder builder() {
    return new Builder();
  }

  @Value.Check
  void check() {
    if (command().isEmpty()) {
      throw new IllegalArgumentException("an exec needs a command");
    }
  }

  /** Builds an {@link ExecSpec}. */
  public static class Builder extends ImmutableExecSpec.Builder {
    Builder() {}
  }
}
