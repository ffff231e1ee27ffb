package dev.coi.cli;

/**
 * coi's own exit codes. {@code coi run} otherwise exits with its command's code, so coi's codes sit
 * where commands seldom put theirs, as {@code docker run} does.
 */
final class ExitCodes {
  /** Everything went well. */
  static final int OK = 0;

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
}
