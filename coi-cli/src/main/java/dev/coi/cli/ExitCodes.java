package dev.coi.cli;

/**
 * coi's own exit codes. {@code coi run} otherwise exits with its command's code, so coi's codes sit
 * where commands seldom put theirs, as {@code docker run} does.
 */
final class ExitCodes {
  /** Everything went well. */
  static final int OK = 0;

  /**
   * An operation coi was asked for failed ({@code coi kill} of a container that is not coi's, a
   * daemon that does not answer {@code coi list}); the message says why.
   */
  static final int FAILED = 1;

  /** The command line itself is wrong: an unknown command or flag, a malformed value. */
  static final int USAGE = 2;

  /**
   * coi could not do what was asked: bad input, no daemon, a missing image; the message says which.
   */
  static final int COI_ERROR = 125;

  /**
   * Ended by Ctrl+C (128 + SIGINT), after the session was ended as on any other exit (a shutdown
   * hook does it): the JVM's own exit status for the signal, shown in {@code coi --help}.
   */
  static final int INTERRUPTED = 130;

  /** Ended by SIGTERM (128 + SIGTERM), the session ended first; see {@link #INTERRUPTED}. */
  static final int TERMINATED = 143;

  private ExitCodes() {}

  /**
   * A command that passes on the exit code of a command it runs in the container ({@code run},
   * {@code shell}): coi's own failure there is {@link #COI_ERROR}, out of the command's way.
   */
  interface PassesExitCode {}

  /** The exit code of coi's own failure in {@code command} (a picocli user object). */
  static int failureOf(Object command) {
    return command instanceof PassesExitCode ? COI_ERROR : FAILED;
  }
}
