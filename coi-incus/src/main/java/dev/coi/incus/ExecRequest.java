package dev.coi.incus;

import dev.coi.api.value.ValueStyle;
import java.util.List;
import java.util.Map;
import org.immutables.value.Value;

/**
 * A command to run in an instance: its argument vector, user, group, directory and environment; for
 * {@link Exec#start}, whether it gets a terminal, and the terminal's size.
 */
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

  /** Variables for the command; their values (tokens, often) never show in {@code toString}. */
  @Value.Redacted
  public abstract Map<String, String> environment();

  /**
   * True to run the command on a terminal (a pty in the instance, as {@code incus exec -t} does):
   * its output and error output then come as one stream. Only {@link Exec#start} honours it.
   */
  @Value.Default
  public boolean interactive() {
    return false;
  }

  /** The terminal's width in columns, when {@link #interactive()}. */
  @Value.Default
  public int width() {
    return 80;
  }

  /** The terminal's height in rows, when {@link #interactive()}. */
  @Value.Default
  public int height() {
    return 24;
  }

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
    if (width() < 1 || height() < 1) {
      throw new IllegalArgumentException(
          "a terminal needs a positive size, not " + width() + "x" + height());
    }
  }

  /** Builds an {@link ExecRequest}. */
  public static class Builder extends ImmutableExecRequest.Builder {
    Builder() {}
  }
}
