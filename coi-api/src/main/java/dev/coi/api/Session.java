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

  /**
   * The session's id: saved under it, listed with it, resumed by it. A resumed session has an id of
   * its own ({@link SessionInfo#resumedFrom()} names the one it continues).
   */
  String id();

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

  /**
   * Starts a command on a pseudo-terminal of the given size: one output stream ({@link
   * RunningCommand#stdout()}; stderr is empty), and {@link RunningCommand#resize} follows the
   * user's window. For interactive programs.
   */
  RunningCommand exec(List<String> command, TerminalSize terminal);

  /**
   * Starts the agent in the background, inside a tmux session named {@code coi-<container>} ({@link
   * #agentTmuxSession(String)}) in {@code /workspace}, with its resume flag when this session
   * resumed a saved one. When the agent exits, a shell takes its place, so the user who attaches is
   * never thrown out; {@link #attach} ends with that shell's exit code. Starting it twice is an
   * error.
   *
   * <pre>{@code
   * session.startAgent();
   * try (RunningCommand tty = session.attach(TerminalSize.of(120, 40))) { ... }
   * }</pre>
   */
  void startAgent();

  /**
   * The tmux session the agent runs in, in the container of that name: {@code coi-<container>}, the
   * name the Go coi gives it and orchestrators drive.
   *
   * <pre>{@code
   * Sessions.run(name, List.of("tmux", "capture-pane", "-p", "-t", Session.agentTmuxSession(name)));
   * }</pre>
   */
  static String agentTmuxSession(String container) {
    return "coi-" + container;
  }

  /**
   * Attaches to the agent's tmux session on a pseudo-terminal: what the agent draws arrives on
   * {@link RunningCommand#stdout()}, keys go to {@link RunningCommand#stdin()}; detaching (Ctrl+B
   * D) ends the command with code 0 and leaves the agent running; when the shell that took the
   * agent's place exits, the command ends with that shell's exit code. Keep reading {@code
   * stdout()} as a terminal does: while what tmux draws is not read, tmux takes no keys. Throws
   * when the agent is not started.
   */
  RunningCommand attach(TerminalSize terminal);

  /**
   * Lets the session run on without this program: the container keeps running with the agent, and
   * is no longer ended by {@link #close()}, by this program's exit or by a sweep. {@link
   * Sessions#connect(String)} reaches it again, from this program or another; ending that session
   * ends it. This object is closed afterwards. For a user who detaches from the agent's tmux.
   *
   * <pre>{@code
   * session.detach();
   * // later, in any program:
   * try (Session again = Sessions.connect(name)) { again.attach(TerminalSize.of(120, 40)); ... }
   * }</pre>
   */
  void detach();

  /**
   * Copies a host file or directory tree into the container at {@code containerPath}, owned by the
   * agent user. Directories are merged into an existing one; files replaced. The host path may be a
   * directory the agent writes (the workspace, a mount), so no symbolic link is followed on any of
   * its components (pass a real path) nor inside the tree: links are copied as links.
   */
  void push(Path hostPath, String containerPath);

  /**
   * Copies a file or directory tree of the container to {@code hostPath}, which must not exist yet;
   * the copy belongs to the user running this program. The host path may lie in the workspace,
   * which the agent writes while the copy runs: no symbolic link is followed on any of its
   * components, and nothing is ever written outside it.
   */
  void pull(String containerPath, Path hostPath);

  /**
   * Saves the agent's state directory to the session store now, atomically: a crash during the save
   * leaves the previous save intact. Closing the session saves too.
   */
  SessionInfo save();

  /** What is known of this session now. */
  SessionInfo info();

  /** Same as {@link #run(List)}. */
  default ExecResult run(String... command) {
    return run(List.of(command));
  }

  /**
   * Ends the session: saves the agent's state, then deletes an ephemeral container or stops a
   * persistent one. Also done by a shutdown hook when the program ends (Ctrl+C, SIGTERM) before the
   * session is closed, and when the container was powered off from inside. Safe to call twice.
   */
  @Override
  void close();
}
