package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.BackendUnavailableException;
import dev.coi.api.ConfigException;
import dev.coi.api.spi.Availability;
import dev.coi.api.spi.BackendSettings;
import dev.coi.tck.FakeContainerBackend;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The container backend's choice: its words and its discovery ({@link ProviderChoiceTest} has the
 * rest).
 */
class BackendsTest {

  @Test
  void noBackendAtAllNamesTheMissingModule() {
    BackendUnavailableException e =
        assertThrows(
            BackendUnavailableException.class,
            () -> Backends.choose(List.of(), BackendSettings.none()));
    assertTrue(e.getMessage().contains("coi-incus"), e.getMessage());
  }

  @Test
  void anUnknownNameIsAConfigErrorListingTheNamesOnTheClassPath() {
    Named a = new Named("alpha");
    Named b = new Named("beta");

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
    Unavailable named = new Unavailable("incus", "no socket at /x");

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

  /** An available backend of a given name. */
  private static class Named extends FakeContainerBackend {
    final String name;
    boolean closed;

    Named(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  /** A backend that is never available. */
  private static final class Unavailable extends Named {
    final String reason;

    Unavailable(String name, String reason) {
      super(name);
      this.reason = reason;
    }

    @Override
    public Availability availability() {
      return Availability.unavailable(reason);
    }
  }
}
