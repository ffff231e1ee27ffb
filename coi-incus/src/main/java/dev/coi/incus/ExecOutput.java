package dev.coi.incus;

import dev.coi.api.value.ValueStyle;
import java.nio.charset.StandardCharsets;
import org.immutables.value.Value;

/** A finished command's exit code and its captured output, as bytes. */
@Value.Immutable
@ValueStyle
public abstract class ExecOutput {
  ExecOutput() {}

  /** The exit code; 128+n when signal n killed it, 127 when the command was not found. */
  public abstract int exitCode();

  @SuppressWarnings("mutable") // Immutables copies arrays in and out
  public abstract byte[] stdout();

  @SuppressWarnings("mutable")
  public abstract byte[] stderr();

  public String stdoutText() {
    return new String(stdout(), StandardCharsets.UTF_8);
  }

  public String stderrText() {
    return new String(stderr(), StandardCharsets.UTF_8);
  }

  static ExecOutput of(int exitCode, byte[] stdout, byte[] stderr) {
    return ImmutableExecOutput.builder().exitCode(exitCode).stdout(stdout).stderr(stderr).build();
  }
}
