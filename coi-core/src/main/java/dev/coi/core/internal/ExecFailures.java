package dev.coi.core.internal;

import dev.coi.api.BackendException;
import dev.coi.api.BackendUnavailableException;
import dev.coi.api.CoiException;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerStatus;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Why a command could not run in a session's container, asked of the daemon only once a command
 * failed.
 *
 * <p>A session's first command needs no wait of its own: {@link ContainerBackend#create} and {@link
 * ContainerBackend#start} return once the container's init runs (Incus ends the start operation
 * then). The daemon can still fail an exec while init sets itself up (systemd moving into its
 * cgroups); the backend runs such an exec again, since its command never started. Waiting for more
 * (systemd's {@code is-system-running} reaching {@code running}) would cost a second or more of
 * every run: measured 0.8 to 2 s after the start on a loaded machine, against about 1.1 s for a
 * whole {@code coi run} (docs/BENCHMARKS.md). Asking the daemon for the container's state before
 * every first command cost a request and its parsing on every run, for an answer the start had
 * already given; so the question is asked when a command fails, where it turns the daemon's "not
 * running" into the reason and what to look at.
 */
final class ExecFailures {

  private ExecFailures() {}

  /**
   * Runs {@code command} against container {@code name}; when it fails and the container is gone or
   * stopped, the failure says so and names it.
   */
  static <T> T explainingFailure(ContainerBackend containers, String name, Supplier<T> command) {
    try {
      return command.get();
    } catch (BackendUnavailableException e) {
      throw e;
    } catch (CoiException e) {
      throw explain(containers, name, e);
    }
  }

  /** The failure, or one that names a container gone or stopped as its reason. */
  static CoiException explain(ContainerBackend containers, String name, CoiException failure) {
    Optional<ContainerInfo> container;
    try {
      container = containers.find(name);
    } catch (CoiException unknown) {
      failure.addSuppressed(unknown);
      return failure;
    }
    if (container.isEmpty()) {
      return new BackendException(
          500, "container " + name + " is gone: was it deleted from outside the session?", failure);
    }
    if (container.get().status() == ContainerStatus.STOPPED) {
      return new BackendException(
          500,
          "container "
              + name
              + " is not running (its init failed as it started, or it was stopped from"
              + " outside): see `incus info --show-log "
              + name
              + "`",
          failure);
    }
    return failure;
  }
}
