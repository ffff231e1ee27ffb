package dev.coi.api;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

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

  private static SessionEngine engine() {
    return EngineHolder.ENGINE.orElseThrow(
        () ->
            new CoiException(
                "no coi engine on the class path: add the dev.coi:coi-core dependency"));
  }

  /** Loaded once, on first use, so that merely building specs needs no engine. */
  private static final class EngineHolder {
    static final Optional<SessionEngine> ENGINE =
        ServiceLoader.load(SessionEngine.class, Sessions.class.getClassLoader()).stream()
            .map(ServiceLoader.Provider::get)
            .max(Comparator.comparingInt(SessionEngine::priority));
  }
}
