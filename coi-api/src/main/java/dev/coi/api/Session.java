package dev.coi.api;

import java.nio.file.Path;
import java.util.List;

/**
 * A live agent session: a container running for one workspace and slot. Close it to end the
 * session; an ephemeral session's container is then deleted, a persistent one's kept for the next.
 *
 * <pre>{@code
 * try (Session s = Sessions.builder().workspace(Path.of(".")).start()) {
 *   ExecResult r = s.run("echo", "hello");
 *   System.out.print(r.stdout()); // hello
 * }
 * }</pre>
 */
public interface Session extends AutoCloseable {

  /** The container's name, {@code claude-<8 hex of the workspace hash>-<slot>} by default. */
  String name();

  /** The host directory mounted at {@code /workspace}, absolute and with links resolved. */
  Path workspace();

  /** The slot this session holds on its workspace, from 1. */
  int slot();

  /** True when the container outlives the session. */
  boolean persistent();

  /**
   * Runs a command to its end as the agent user (uid 1000) in {@code /workspace}, without a shell:
   * each element is one argument. Output is captured; see {@link ExecResult}.
   */
  ExecResult run(List<String> command);

  /**
   * Starts a command as {@link #run(List)} does, but with its streams live, for output that must be
   * seen as it comes, binary output, or input to feed it. The caller closes it.
   */
  RunningCommand exec(List<String> command);

  /** Same as {@link #run(List)}. */
  default ExecResult run(String... command) {
    return run(List.of(command));
  }

  /**
   * Ends the session: deletes an ephemeral container, stops a persistent one. Safe to call twice.
   */
  @Override
  void close();
}
