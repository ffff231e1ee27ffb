package dev.coi.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Predicate;

/**
 * Where every session starts. Add {@code dev.coi:coi-core} (the engine) and a backend such as
 * {@code dev.coi:coi-incus} to the class path, then:
 *
 * <pre>{@code
 * int exitCode;
 * try (Session s = Sessions.builder().workspace(Path.of(".")).start()) {
 *   exitCode = s.run("npm", "test").exitCode();
 * }
 * System.exit(exitCode);
 * }</pre>
 */
public final class Sessions {
  private Sessions() {}

  /** A builder for a session; {@code start()} on it starts one. */
  public static SessionSpec.Builder builder() {
    return SessionSpec.newBuilder();
  }

  /** Starts a session with the given spec. The caller closes it. */
  public static Session start(SessionSpec spec) {
    return engine().start(spec);
  }

  /**
   * A running session by its container's name ({@link SessionInfo#container()}), started by this
   * program or another, for attaching to its agent again ({@link Session#attach}) or running
   * commands beside it. This program becomes its owner: closing the session, or this program's
   * exit, ends it (agent state saved, an ephemeral container deleted, a kept one stopped), unless
   * it is {@linkplain Session#detach() detached} again. Throws {@link SessionNotFoundException}
   * when no running coi container has that name; a container coi did not make is never touched.
   *
   * <pre>{@code
   * try (Session s = Sessions.connect("claude-1a2b3c4d-1")) {
   *   System.out.print(s.run("tmux", "ls").stdout());
   * }
   * }</pre>
   */
  public static Session connect(String name) {
    return engine().connect(name);
  }

  /**
   * Every session of this user: coi's running and stopped containers, and saved sessions, newest
   * first. A session whose container runs and that was saved too is listed once.
   *
   * <pre>{@code
   * Sessions.list().stream().filter(s -> s.state() == SessionState.STOPPED).forEach(Sessions::remove);
   * }</pre>
   */
  public static List<SessionInfo> list() {
    return engine().list();
  }

  /** The session with this id, live or saved. */
  public static Optional<SessionInfo> find(String id) {
    return engine().find(id);
  }

  /** The most recently saved session of a workspace, the one {@code resumeLatest()} resumes. */
  public static Optional<SessionInfo> latest(Path workspace) {
    return engine().latest(workspace);
  }

  /**
   * Removes what a listed session left: its stopped container, and, for a {@link
   * SessionState#SAVED} one, its saved state. A running session is never touched: that is a {@link
   * ConflictException}. Used by {@code coi clean}.
   */
  public static void remove(SessionInfo session) {
    engine().remove(session);
  }

  /**
   * Deletes ephemeral containers whose owning program is gone (killed before it could clean up),
   * after saving their agent state. Returns the names removed. Starting a session does this for its
   * own workspace.
   */
  public static List<String> sweep() {
    return engine().sweep();
  }

  /**
   * Sweeps as {@link #sweep()} does, but only the sessions {@code which} accepts: for a program
   * that cleans up after earlier runs of itself and leaves everyone else's sessions to their
   * owners. A session it accepts is still removed only when its owning program is gone.
   *
   * <pre>{@code
   * Sessions.sweep(s -> s.labels().containsKey("my-orchestrator.run"));
   * }</pre>
   */
  public static List<String> sweep(Predicate<SessionInfo> which) {
    return engine().sweep(which);
  }

  /**
   * Which network modes the configured backend honours here, and why ({@code coi doctor} prints its
   * {@link NetworkSupport#describe()}).
   */
  public static NetworkSupport networkSupport() {
    return engine().networkSupport();
  }

  /**
   * Stops and deletes a coi container now, running or not, persistent or not; its agent state is
   * saved (by the program that holds it, or here when none does). A container coi did not make is
   * never touched: that is a {@link NotFoundException}, as is a name that does not exist.
   *
   * <pre>{@code
   * Sessions.kill("claude-1a2b3c4d-1");
   * }</pre>
   */
  public static void kill(String container) {
    engine().kill(container);
  }

  /**
   * Ends a coi container gracefully: asks it to shut down, stops it at once if it has not within
   * {@code timeout}, saves its agent state, then deletes it. Only coi's containers, as {@link
   * #kill}.
   */
  public static void shutdown(String container, java.time.Duration timeout) {
    engine().shutdown(container, timeout);
  }

  /**
   * Keeps a running ephemeral session's container when its session ends, as if it had been started
   * persistent; returns the session as it is now. A persistent one stays as it is. Only coi's
   * containers, as {@link #kill}.
   *
   * <pre>{@code
   * SessionInfo kept = Sessions.persist("claude-1a2b3c4d-1"); // kept.persistent() is true
   * }</pre>
   */
  public static SessionInfo persist(String container) {
    return engine().persist(container);
  }

  /**
   * Runs a command to its end in a running coi container, as the agent user (uid 1000, home {@code
   * /home/claude}) in {@code /workspace}, and captures its output: for orchestrators driving a
   * session another program started, such as its agent's tmux session ({@link
   * Session#agentTmuxSession(String)}). Only coi's containers, as {@link #kill}.
   *
   * <pre>{@code
   * String screen = Sessions.run("claude-1a2b3c4d-1", List.of("tmux", "capture-pane", "-p", "-t", "coi-claude-1a2b3c4d-1")).stdout();
   * }</pre>
   */
  public static ExecResult run(String container, List<String> command) {
    return engine().run(container, command);
  }

  /**
   * Starts a command on a pseudo-terminal in a running coi container, as {@link #run(String, List)}
   * does, without taking the session over: its owner stays its owner. For a login shell beside an
   * agent ({@code coi attach --bash}).
   *
   * <pre>{@code
   * try (RunningCommand bash = Sessions.exec(name, List.of("bash", "-l"), TerminalSize.of(80, 24))) { ... }
   * }</pre>
   */
  public static RunningCommand exec(String container, List<String> command, TerminalSize terminal) {
    return engine().exec(container, command, terminal);
  }

  /**
   * The names of the configuration profiles ({@code [profiles.NAME]}) the files for this workspace
   * define, sorted: the values {@link SessionSpec#profile()} may take.
   *
   * <pre>{@code
   * List<String> profiles = Sessions.profiles(Path.of("."));
   * }</pre>
   */
  public static List<String> profiles(Path workspace) {
    return engine().profiles(workspace);
  }

  /** The images the backend holds, coi's and others; {@link ImageInfo#isCoi()} tells them apart. */
  public static List<ImageInfo> images() {
    return engine().images();
  }

  /**
   * The effective configuration of a workspace: every key, its value and the layer it came from
   * (built-in default, a file with its line, an environment variable), in a stable order.
   */
  public static List<ConfigSetting> configuration(Path workspace) {
    return engine().configuration(workspace);
  }

  /**
   * Checks what sessions need of this host and its backend (the daemon, its version and features,
   * storage, id mapping, images, free disk) and says what to fix. Never throws for a failed check:
   * an unreachable daemon is a {@link HostCheck.Status#FAILED} finding.
   */
  public static List<HostCheck> checkHost() {
    return engine().checkHost();
  }

  private static SessionEngine engine() {
    return EngineHolder.ENGINE.orElseThrow(
        () ->
            new CoiException(
                "no coi engine on the class path: add the dev.coi:coi-core dependency"));
  }

  /** Loaded once, on first use, so that merely building specs needs no engine. */
  private static final class EngineHolder {
    // Not Comparator.comparingInt: the JDK's lambda inside it is made at every start, outside the
    // CLI's AOT cache, and a JVM's first such lambda costs 15 to 35 ms (docs/BENCHMARKS.md,
    // "Session 8"); a lambda of coi's own is kept in the cache.
    static final Optional<SessionEngine> ENGINE =
        ServiceLoader.load(SessionEngine.class, Sessions.class.getClassLoader()).stream()
            .map(ServiceLoader.Provider::get)
            .max((a, b) -> Integer.compare(a.priority(), b.priority()));
  }
}
