package dev.coi.core.internal;

import dev.coi.api.CoiException;
import dev.coi.api.ExecResult;
import dev.coi.api.RunningCommand;
import dev.coi.api.Session;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.ExecSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A session over one container. Closing it deletes an ephemeral container (or, without {@code
 * awaitCleanup}, has it stopped, which deletes it) and stops a persistent one; a JVM shutdown hook
 * does the same if the program ends (Ctrl+C, SIGTERM) before it is closed.
 */
final class ContainerSession implements Session {
  static final int AGENT_UID = 1000;
  static final int AGENT_GID = 1000;
  static final String WORKSPACE_TARGET = "/workspace";

  private final ContainerBackend backend;
  private final String name;
  private final Path workspace;
  private final int slot;
  private final boolean persistent;
  private final boolean awaitCleanup;
  private final Map<String, String> environment;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread shutdownHook;

  ContainerSession(
      ContainerBackend backend,
      String name,
      Path workspace,
      int slot,
      boolean persistent,
      boolean awaitCleanup,
      Map<String, String> environment) {
    this.backend = backend;
    this.name = name;
    this.workspace = workspace;
    this.slot = slot;
    this.persistent = persistent;
    this.awaitCleanup = awaitCleanup;
    this.environment = Map.copyOf(environment);
    this.shutdownHook = new Thread(this::end, "coi-session-close-" + name);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Path workspace() {
    return workspace;
  }

  @Override
  public int slot() {
    return slot;
  }

  @Override
  public boolean persistent() {
    return persistent;
  }

  @Override
  public ExecResult run(List<String> command) {
    return backend.exec(name, asAgent(command));
  }

  @Override
  public RunningCommand exec(List<String> command) {
    return backend.start(name, asAgent(command));
  }

  /** The command as the agent user runs it, in the workspace with the session's environment. */
  private ExecSpec asAgent(List<String> command) {
    if (closed.get()) {
      throw new CoiException("session " + name + " is closed");
    }
    if (command.isEmpty()) {
      throw new IllegalArgumentException("a command is needed");
    }
    return ExecSpec.builder()
        .command(command)
        .uid(AGENT_UID)
        .gid(AGENT_GID)
        .cwd(WORKSPACE_TARGET)
        .environment(environment)
        .build();
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // The hook is running or about to; it ends the session.
    }
    end();
  }

  private void end() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (persistent) {
      backend.stop(name);
    } else if (awaitCleanup) {
      backend.delete(name);
    } else {
      backend.requestStop(name);
    }
  }

  @Override
  public String toString() {
    return "Session[" + name + ", " + workspace + ", slot " + slot + "]";
  }
}
