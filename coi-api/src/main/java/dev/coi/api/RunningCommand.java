package dev.coi.api;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * A command running in a session, its streams live: what it writes arrives as it writes it, byte
 * for byte. Read stdout and stderr both (as with {@link Process}, a command blocks once too much of
 * its output is unread), close stdin when it has had all its input, then {@link #waitFor()}.
 *
 * <pre>{@code
 * try (RunningCommand npm = session.exec(List.of("npm", "test"))) {
 *   npm.stdin().close();
 *   npm.stdout().transferTo(System.out);
 *   int exitCode = npm.waitFor();
 * }
 * }</pre>
 */
public interface RunningCommand extends AutoCloseable {

  OutputStream stdin();

  InputStream stdout();

  InputStream stderr();

  /**
   * Tells a command on a pseudo-terminal that its window changed size; ignored by commands without
   * one.
   */
  default void resize(TerminalSize size) {}

  /** Waits for the command to end and returns its exit code (128+n when signal n killed it). */
  int waitFor();

  /** Releases the streams; a command still running is killed. */
  @Override
  void close();
}
