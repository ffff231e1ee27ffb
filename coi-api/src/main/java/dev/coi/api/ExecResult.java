package dev.coi.api;

import dev.coi.api.value.ValueStyle;
import org.immutables.value.Value;

/**
 * What a finished command left behind: its exit code and everything it wrote.
 *
 * <pre>{@code
 * ExecResult r = session.run("npm", "test");
 * if (!r.isSuccess()) System.err.print(r.stderr());
 * }</pre>
 */
@Value.Immutable
@ValueStyle
public abstract class ExecResult {
  ExecResult() {}

  /** The command's exit code; 128+n when a signal n killed it, 127 when it was not found. */
  public abstract int exitCode();

  /** Everything the command wrote to standard output, decoded as UTF-8. */
  public abstract String stdout();

  /** Everything the command wrote to standard error, decoded as UTF-8. */
  public abstract String stderr();

  /** True when the command exited 0. */
  public boolean isSuccess() {
    return exitCode() == 0;
  }

  /** A result, for backends and fakes. */
  public static ExecResult of(int exitCode, String stdout, String stderr) {
    return ImmutableExecResult.builder().exitCode(exitCode).stdout(stdout).stderr(stderr).build();
  }
}
