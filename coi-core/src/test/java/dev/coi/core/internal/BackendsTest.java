package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.BackendUnavailableException;
import dev.coi.api.ConfigException;
import dev.coi.api.spi.Availability;
import dev.coi.api.spi.BackendSettings;
import dev.coi.tck.FakeContainerBackend;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendsTest {

  @Test
  void theAvailableBackendWithTheHighestPriorityIsChosenAndTheOthersClosed() {
    FakeContainerBackend low = new FakeContainerBackend();
    Unavailable high = new Unavailable("high", 10, "daemon down");

    assertSame(low, Backends.choose(List.of(low, high), BackendSettings.none()));
    assertTrue(high.closed);
  }

  @Test
  void withOneBackendItsOwnReasonIsTheMessage() {
    BackendUnavailableException e =
        assertThrows(
            BackendUnavailableException.class,
            () ->
                Backends.choose(
                    List.of(new Unavailable("incus", 1, "no socket at /x")),
                    BackendSettings.none()));
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
                        new Unavailable("a", 1, "reason a"), new Unavailable("b", 2, "reason b")),
                    BackendSettings.none()));
    assertTrue(e.getMessage().contains("a: reason a"), e.getMessage());
    assertTrue(e.getMessage().contains("b: reason b"), e.getMessage());
  }

  @Test
  void noBackendAtAllNamesTheMissingModule() {
    BackendUnavailableException e =
        assertThrows(
            BackendUnavailableException.class,
            () -> Backends.choose(List.of(), BackendSettings.none()));
    assertTrue(e.getMessage().contains("coi-incus"), e.getMessage());
  }

  @Test
  void theBackendNamedByUseIsChosenOverOneOfHigherPriority() {
    FakeContainerBackend fake = new FakeContainerBackend();
    Named other = new Named("other", 10);

    assertSame(
        fake,
        Backends.choose(
            List.of(other, fake), BackendSettings.builder().backend(fake.name()).build()));
    assertTrue(other.closed);
  }

  @Test
  void anUnknownNameIsAConfigErrorListingTheNamesOnTheClassPath() {
    Named a = new Named("alpha", 1);
    Named b = new Named("beta", 2);

    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                Backends.choose(List.of(a, b), BackendSettings.builder().backend("gamma").build()));
    assertEquals(
        "unknown container backend 'gamma': the class path has alpha, beta"
            + " (set defaults.backend to one of them)",
        e.getMessage());
    assertTrue(a.closed && b.closed);
  }

  @Test
  void aNamedBackendThatIsUnavailableGivesItsReasonEvenWhenAnotherIsAvailable() {
    FakeContainerBackend available = new FakeContainerBackend();
    Unavailable named = new Unavailable("incus", 1, "no socket at /x");

    BackendUnavailableException e =
        assertThrows(
            BackendUnavailableException.class,
            () ->
                Backends.choose(
                    List.of(available, named), BackendSettings.builder().backend("incus").build()));
    assertEquals("container backend incus is not available: no socket at /x", e.getMessage());
  }

  @Test
  void discoveryHonoursUseOverTheClassPath() {
    // coi-incus is on this module's test class path; no daemon is needed to refuse a name.
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> Backends.discover(BackendSettings.builder().backend("nosuch").build()));
    assertTrue(e.getMessage().contains("the class path has incus"), e.getMessage());
  }

  /** An available backend of a given name and priority. */
  private static class Named extends FakeContainerBackend {
    final String name;
    final int priority;
    boolean closed;

    Named(String name, int priority) {
      this.name = name;
      this.priority = priority;
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
    public void close() {
      closed = true;
    }
  }

  /** A backend that is never available. */
  private static final class Unavailable extends Named {
    final String reason;

    Unavailable(String name, int priority, String reason) {
      super(name, priority);
      this.reason = reason;
    }

    @Override
    public Availability availability() {
      return Availability.unavailable(reason);
    }
  }
}
