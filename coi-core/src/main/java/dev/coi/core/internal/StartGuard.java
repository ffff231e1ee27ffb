package dev.coi.core.internal;

import dev.coi.api.CoiException;
import dev.coi.api.spi.ContainerBackend;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Undoes a session's start when the JVM shuts down (Ctrl+C, SIGTERM) before the session exists: the
 * container made for it is removed (a kept one started for it is stopped again) and its fresh live
 * state directory deleted. Once the session exists, its own shutdown hook takes over; from then on
 * this guard does nothing.
 */
final class StartGuard implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(StartGuard.class.getName());

  /** How long the hook waits for a create under way to finish, to know what it has to undo. */
  private static final long CREATE_WAIT_NANOS = TimeUnit.MINUTES.toNanos(2);

  private final Thread hook;
  private ContainerBackend containers;
  private Path live;
  private boolean creating;
  private Optional<String> container = Optional.empty();
  private boolean fresh;
  private boolean handedOver;
  private boolean shuttingDown;

  StartGuard() {
    this.hook = new Thread(this::undo, "coi-start-guard");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** The backend the session is started on. */
  synchronized void backend(ContainerBackend backend) {
    containers = backend;
  }

  /** The session's own live state directory, deleted if the start is undone. */
  synchronized void live(Path directory) {
    live = directory;
  }

  /** Runs the creation of the container; a shutdown meanwhile waits for it to end. */
  <T> T creating(Supplier<T> create) {
    synchronized (this) {
      creating = true;
    }
    try {
      return create.get();
    } finally {
      synchronized (this) {
        creating = false;
        notifyAll();
      }
    }
  }

  /** The container the start made ({@code fresh}) or started again (a kept one). */
  synchronized void container(String name, boolean isFresh) {
    container = Optional.of(name);
    fresh = isFresh;
  }

  /**
   * Makes the session, whose own hook ends it from now on; refused once the JVM is shutting down,
   * as this guard is undoing the start then.
   */
  synchronized <T> T handOver(Supplier<T> session) {
    if (shuttingDown) {
      throw new CoiException("coi is shutting down: the session was not started");
    }
    T made = session.get();
    handedOver = true;
    return made;
  }

  private void undo() {
    Optional<String> made;
    boolean madeFresh;
    Path dir;
    ContainerBackend backend;
    synchronized (this) {
      shuttingDown = true;
      long deadline = System.nanoTime() + CREATE_WAIT_NANOS;
      try {
        while (creating && System.nanoTime() < deadline) {
          TimeUnit.NANOSECONDS.timedWait(this, deadline - System.nanoTime());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (handedOver) {
        return;
      }
      made = container;
      madeFresh = fresh;
      dir = live;
      backend = containers;
    }
    try {
      if (made.isPresent()) {
        if (madeFresh) {
          backend.delete(made.get());
        } else {
          backend.shutdown(made.get(), ContainerSession.SHUTDOWN_TIMEOUT);
        }
      }
      if (dir != null && (madeFresh || made.isEmpty())) {
        AgentState.delete(dir);
      }
    } catch (RuntimeException e) {
      // Whatever is left, the next sweep removes: its owner (this process) is gone by then.
      LOG.log(System.Logger.Level.DEBUG, "cannot undo the start of a session", e);
    }
  }

  /** The start is over, made or failed: the guard is no longer needed. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDownNow) {
      // The hook runs or has run.
    }
  }
}
