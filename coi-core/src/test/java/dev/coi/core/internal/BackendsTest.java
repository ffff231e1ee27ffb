package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.BackendUnavailableException;
import dev.coi.api.ExecResult;
import dev.coi.api.spi.Availability;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.ExecSpec;
import dev.coi.api.testing.FakeContainerBackend;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackendsTest {

  @Test
  void theAvailableBackendWithTheHighestPriorityIsChosenAndTheOthersClosed() {
    FakeContainerBackend low = new FakeContainerBackend();
    Unavailable high = new Unavailable("high", 10, "daemon down");

    assertSame(low, Backends.choose(List.of(low, high)));
    assertTrue(high.closed);
  }

  @Test
  void withOneBackendItsOwnReasonIsTheMessage() {
    BackendUnavailableException e =
        assertThrows(
            BackendUnavailableException.class,
            () -> Backends.choose(List.of(new Unavailable("incus", 1, "no socket at /x"))));
    assertEquals("no socket at /x", e.getMessage());
  }

  @Test
  void withSeveralEachIsListedWithItsReason() {
    BackendUnavailableException e =
        assertThrows(
            BackendUnavailableException.class,
            () ->
                Backends.choose(
                    List.of(
                        new Unavailable("a", 1, "reason a"), new Unavailable("b", 2, "reason b"))));
    assertTrue(e.getMessage().contains("a: reason a"), e.getMessage());
    assertTrue(e.getMessage().contains("b: reason b"), e.getMessage());
  }

  @Test
  void noBackendAtAllNamesTheMissingModule() {
    BackendUnavailableException e =
        assertThrows(BackendUnavailableException.class, () -> Backends.choose(List.of()));
    assertTrue(e.getMessage().contains("coi-incus"), e.getMessage());
  }

  /** A backend that is never available. */
  private static final class Unavailable extends FakeContainerBackend {
    final String name;
    final int priority;
    final String reason;
    boolean closed;

    Unavailable(String name, int priority, String reason) {
      this.name = name;
      this.priority = priority;
      this.reason = reason;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public int priority() {
      return priority;
    }

    @Override
    public Availability availability() {
      return Availability.unavailable(reason);
    }

    @Override
    public void create(ContainerSpec spec) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void start(String n) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void stop(String n) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void delete(String n) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Optional<ContainerInfo> find(String n) {
      return Optional.empty();
    }

    @Override
    public List<ContainerInfo> list() {
      return List.of();
    }

    @Override
    public ExecResult exec(String container, ExecSpec exec) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
