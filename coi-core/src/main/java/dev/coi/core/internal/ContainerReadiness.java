package dev.coi.core.internal;

import dev.coi.api.BackendException;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerStatus;
import java.time.Duration;
import java.util.Optional;

/**
 * What a session waits for before its first command: the container's init runs (the daemon reports
 * it running). The daemon can still fail an exec while init sets itself up (systemd moving into its
 * cgroups); the backend runs such an exec again, since its command never started. Waiting for more
 * (systemd's {@code is-system-running} reaching {@code running}) would cost a second or more of
 * every run: measured 0.8 to 2 s after the start on a loaded machine, against about 1.1 s for a
 * whole {@code coi run} (docs/BENCHMARKS.md).
 */
final class ContainerReadiness {
  /** How long a container may be seen in between states (starting) before it counts as failed. */
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static final long POLL_MILLIS = 50;

  private ContainerReadiness() {}

  /**
   * Returns once {@code name} runs; throws, naming it, when it is gone or stopped, or still not
   * running after {@code timeout}.
   */
  static void await(ContainerBackend containers, String name, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<ContainerInfo> container = containers.find(name);
      if (container.isEmpty()) {
        throw new BackendException(
            500, "container " + name + " vanished as it started: was it deleted from outside?");
      }
      ContainerStatus status = container.get().status();
      if (status == ContainerStatus.RUNNING) {
        return;
      }
      if (status == ContainerStatus.STOPPED) {
        throw new BackendException(
            500,
            "container "
                + name
                + " stopped as it started (its init failed or was stopped from outside):"
                + " see `incus info --show-log "
                + name
                + "`");
      }
      if (System.nanoTime() - deadline > 0) {
        throw new BackendException(
            504,
            "container "
                + name
                + " not running "
                + timeout.toSeconds()
                + " s after its start: see `incus info --show-log "
                + name
                + "`");
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BackendException(500, "interrupted while waiting for container " + name);
      }
    }
  }
}
