package dev.coi.core.internal;

import dev.coi.api.BackendUnavailableException;
import dev.coi.api.CoiException;
import dev.coi.api.CommandLostException;
import dev.coi.api.ExecResult;
import dev.coi.api.RunningCommand;
import dev.coi.api.Session;
import dev.coi.api.SessionInfo;
import dev.coi.api.SessionState;
import dev.coi.api.TerminalSize;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerStatus;
import dev.coi.api.spi.ExecSpec;
import dev.coi.api.spi.SessionStore;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A session over one container. Closing it deletes an ephemeral container (or, without {@code
 * awaitCleanup}, has it stopped, which deletes it) and stops a persistent one, then saves the
 * agent's state (see {@link #end()} for the order); a JVM shutdown hook does the same if the
 * program ends (Ctrl+C, SIGTERM) before it is closed.
 */
final class ContainerSession implements Session {
  private static final System.Logger LOG = System.getLogger(ContainerSession.class.getName());
  private final AtomicBoolean agentStarted = new AtomicBoolean();

  static final int AGENT_UID = 1000;
  static final int AGENT_GID = 1000;
  static final String WORKSPACE_TARGET = SessionMounts.WORKSPACE_TARGET;

  /** How long a kept container may take to shut down cleanly before it is stopped at once. */
  static final java.time.Duration SHUTDOWN_TIMEOUT = java.time.Duration.ofSeconds(10);

  /** How long the end of a session waits for an unreachable daemon to come back. */
  private static final java.time.Duration DAEMON_WAIT = java.time.Duration.ofSeconds(90);

  private static final java.time.Duration DAEMON_RETRY = java.time.Duration.ofMillis(500);

  /** How long a second caller of close (the shutdown hook) waits for the first to finish. */
  private static final java.time.Duration END_WAIT = java.time.Duration.ofMinutes(2);

  /** What a session is made of, fixed when it starts. */
  record Parts(
      ContainerBackend backend,
      SessionStore store,
      SessionInfo description,
      boolean awaitCleanup,
      Map<String, String> environment,
      Path liveDirectory,
      Set<String> seeded,
      List<String> agentCommand,
      Clock clock,
      Runnable afterContainer,
      dev.coi.api.spi.ContainerHold hold) {
    /** Without the environment's values, which are often tokens. */
    @Override
    public String toString() {
      return "Parts[" + description + ", environment " + environment.keySet() + "]";
    }
  }

  private final Parts parts;
  private final SessionInfo description;
  private final ContainerBackend backend;
  private final String name;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Open until the session has ended: a second caller of {@link #end} waits for the first. */
  private final CountDownLatch ended = new CountDownLatch(1);

  private final Thread shutdownHook;
  private volatile Optional<java.time.Instant> saved = Optional.empty();

  ContainerSession(Parts parts) {
    this.parts = parts;
    this.description = parts.description();
    this.backend = parts.backend();
    this.name = description.container();
    this.saved = description.saved();
    this.shutdownHook = new Thread(this::end, "coi-session-close-" + name);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  @Override
  public String id() {
    return description.id();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Path workspace() {
    return description.workspace();
  }

  @Override
  public int slot() {
    return description.slot();
  }

  @Override
  public boolean persistent() {
    return description.persistent();
  }

  @Override
  public ExecResult run(List<String> command) {
    ExecSpec exec = asAgent(command, Optional.empty());
    return ExecFailures.explainingFailure(backend, name, () -> backend.exec(name, exec));
  }

  @Override
  public RunningCommand exec(List<String> command) {
    return start(asAgent(command, Optional.empty()));
  }

  @Override
  public RunningCommand exec(List<String> command, TerminalSize terminal) {
    return start(asAgent(command, Optional.of(terminal)));
  }

  private RunningCommand start(ExecSpec exec) {
    return ExecFailures.explainingFailure(backend, name, () -> backend.start(name, exec));
  }

  @Override
  public void startAgent() {
    if (agentStarted.get()) {
      throw new CoiException("the agent already runs in session " + name + ": attach to it");
    }
    List<String> tmux = AgentTmux.startCommand(tmuxSession(), parts.agentCommand());
    ExecResult started;
    try {
      started = run(tmux);
    } catch (CommandLostException e) {
      // The daemon lost the tmux start after running it (it is never run twice). This session has
      // not started an agent, so one that runs now is the one it asked for.
      if (!agentRuns()) {
        throw new CoiException("cannot start the agent in " + name + ": " + e.getMessage(), e);
      }
      started = ExecResult.of(0, "", "");
    }
    if (!started.isSuccess()) {
      throw new CoiException("cannot start the agent in " + name + ": " + started.stderr().strip());
    }
    agentStarted.set(true);
  }

  private boolean agentRuns() {
    return run("tmux", "has-session", "-t", tmuxSession()).isSuccess();
  }

  private String tmuxSession() {
    return Session.agentTmuxSession(name);
  }

  @Override
  public RunningCommand attach(TerminalSize terminal) {
    if (!agentRuns()) {
      throw new CoiException(
          "the agent does not run in session " + name + ": start it with startAgent() first");
    }
    return exec(AgentTmux.attachCommand(tmuxSession()), terminal);
  }

  @Override
  public void detach() {
    checkOpen();
    // Labelled first: a sweep between the two steps must see an owner, this one or nobody.
    backend.updateLabels(name, Owners.nobody());
    parts.hold().close(); // this program no longer keeps the container's network up
    if (closed.compareAndSet(false, true)) {
      ended.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running: the session ends after all, as the program does.
      }
    }
  }

  @Override
  public void push(Path hostPath, String containerPath) {
    checkOpen();
    if (!java.nio.file.Files.exists(hostPath)) {
      throw new dev.coi.api.InvalidSpecException(
          "cannot push " + hostPath + ": it does not exist on the host");
    }
    backend.pushTree(name, hostPath.toAbsolutePath(), containerPath, AGENT_UID, AGENT_GID);
  }

  @Override
  public void pull(String containerPath, Path hostPath) {
    checkOpen();
    if (java.nio.file.Files.exists(hostPath, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new dev.coi.api.InvalidSpecException(
          "cannot pull into " + hostPath + ": it exists; give a path that does not");
    }
    backend.pullTree(name, containerPath, hostPath.toAbsolutePath());
  }

  @Override
  public SessionInfo save() {
    checkOpen();
    store();
    return info();
  }

  /** Copies the live state directory to the store. */
  private synchronized void store() {
    SessionInfo now =
        SessionInfo.builder().from(description).saved(parts.clock().instant()).build();
    parts.store().save(now, parts.liveDirectory());
    saved = now.saved();
  }

  @Override
  public SessionInfo info() {
    SessionState state =
        backend
            .find(name)
            .filter(c -> ContainerLabel.SESSION.in(c.labels()).filter(id()::equals).isPresent())
            .map(ContainerInfo::status)
            .map(s -> s == ContainerStatus.RUNNING ? SessionState.RUNNING : SessionState.STOPPED)
            .orElse(SessionState.SAVED);
    return SessionInfo.builder().from(description).state(state).saved(saved).build();
  }

  /** The command as the agent user runs it, in the workspace with the session's environment. */
  private ExecSpec asAgent(List<String> command, Optional<TerminalSize> terminal) {
    checkOpen();
    if (command.isEmpty()) {
      throw new dev.coi.api.InvalidSpecException("the command is empty: give a program to run");
    }
    return ExecSpec.builder()
        .command(command)
        .uid(AGENT_UID)
        .gid(AGENT_GID)
        .cwd(WORKSPACE_TARGET)
        .environment(parts.environment())
        .terminal(terminal)
        .build();
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new CoiException("session " + name + " is closed");
    }
  }

  @Override
  public void close() {
    try {
      end();
    } finally {
      // Only now: a shutdown while the session was ending (Ctrl+C during the save) runs the
      // hook, which waits for that end to finish instead of the JVM halting in the middle of it.
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running or has run.
      }
    }
  }

  /**
   * Ends the container first, then the state directory, so that the daemon never handles a device
   * whose source is gone and nothing the container can still write is walked:
   *
   * <ul>
   *   <li>A kept container is stopped (awaited), then its state saved; the directory stays for the
   *       next session.
   *   <li>An ephemeral one is deleted (awaited), then its state saved and the directory deleted.
   *   <li>Without {@code awaitCleanup}, and with nothing of the agent's in the directory, the stop
   *       is only requested: the daemon stops and deletes the container after this program has
   *       exited, using the directory as a mount source until then, so it is left for the next
   *       sweep (of any coi run) to remove once its owner is gone and no container holds it. With
   *       something of the agent's, the delete is awaited as above: the state is saved now.
   * </ul>
   *
   * When the container could not be stopped, nothing is walked: the directory is left for the sweep
   * to rescue.
   */
  private void end() {
    if (!closed.compareAndSet(false, true)) {
      awaitEnd();
      return;
    }
    try {
      endOnce();
    } finally {
      ended.countDown();
    }
  }

  /** Waits (bounded) for the end another thread is carrying out: the close or the hook. */
  private void awaitEnd() {
    try {
      if (!ended.await(END_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.log(Level.DEBUG, "session " + name + " did not end within " + END_WAIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void endOnce() {
    parts.hold().close();
    Path live = parts.liveDirectory();
    RuntimeException failure = null;
    boolean stopped = false;
    try {
      // Saving or deleting waits for the container to be gone or stopped: nothing it can write is
      // walked while it can still write it, and the daemon never sees a mount whose source is gone.
      // With no agent state to keep and nobody awaiting the clean-up, a stop is only requested and
      // the empty state directory is left to the next sweep.
      boolean[] requestedOnly = {false};
      whenReachable(
          () -> {
            if (kept()) {
              stopIfRunning();
            } else if (parts.awaitCleanup() || AgentState.hasAgentState(live, parts.seeded())) {
              backend.delete(name);
            } else {
              backend.requestStop(name);
              requestedOnly[0] = true;
            }
          });
      stopped = !requestedOnly[0];
    } catch (RuntimeException e) {
      failure = e;
    }
    TestPauses.reach(TestPauses.BEFORE_SAVE);
    try {
      // Host-side tidying once the container is gone or going (ProtectedPaths' placeholders).
      parts.afterContainer().run();
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "tidying after session " + name + " failed", e);
    }
    try {
      if (stopped && AgentState.hasAgentState(live, parts.seeded())) {
        store();
      }
      if (stopped && !kept()) {
        AgentState.delete(live);
      }
    } catch (RuntimeException e) {
      if (failure == null) {
        failure = e;
      } else {
        failure.addSuppressed(e);
      }
    }
    if (failure != null) {
      LOG.log(Level.DEBUG, "ending session " + name + " failed", failure);
      throw failure;
    }
  }

  /**
   * Runs a step against the daemon, again while the daemon cannot be reached (restarting, for an
   * upgrade), for up to {@link #DAEMON_WAIT}: a session ending meanwhile still removes or stops its
   * container instead of leaving it for the next sweep.
   */
  private void whenReachable(Runnable step) {
    long deadline = System.nanoTime() + DAEMON_WAIT.toNanos();
    while (true) {
      try {
        step.run();
        return;
      } catch (BackendUnavailableException e) {
        if (System.nanoTime() - deadline > 0) {
          throw e;
        }
        LOG.log(Level.DEBUG, "the daemon is unreachable; ending " + name + " again soon", e);
        try {
          Thread.sleep(DAEMON_RETRY.toMillis());
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /** Persistent from the start, or kept since by another program ({@code coi persist}). */
  private boolean kept() {
    return persistent() || ContainerCommands.keptLater(parts.liveDirectory());
  }

  /** A persistent container powered off from inside is already stopped. */
  private void stopIfRunning() {
    Optional<ContainerInfo> container = backend.find(name);
    if (container.isPresent() && container.get().status() != ContainerStatus.STOPPED) {
      backend.shutdown(name, SHUTDOWN_TIMEOUT);
    }
  }

  @Override
  public String toString() {
    return "Session[" + name + ", " + workspace() + ", slot " + slot() + "]";
  }
}
