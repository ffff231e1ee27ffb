package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.BackendUnavailableException;
import dev.coi.api.ConfigException;
import dev.coi.api.spi.Availability;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * How one provider of an SPI is chosen, for container backends and session stores alike ({@link
 * BackendsTest} and {@link SessionStoresTest} check what each adds: its words and its discovery).
 */
class ProviderChoiceTest {
  private static final ProviderChoice<Provider> CHOICE =
      new ProviderChoice<>(
          "widget",
          "defaults.widget",
          "no widget on the class path: add one",
          p -> p.name,
          p -> p.priority,
          p -> p.availability,
          p -> p.closed = true);

  /** A provider of a name and priority, available or not. */
  private static final class Provider {
    final String name;
    final int priority;
    final Availability availability;
    boolean closed;

    private Provider(String name, int priority, Availability availability) {
      this.name = name;
      this.priority = priority;
      this.availability = availability;
    }

    static Provider available(String name, int priority) {
      return new Provider(name, priority, Availability.available());
    }

    static Provider unavailable(String name, int priority, String reason) {
      return new Provider(name, priority, Availability.unavailable(reason));
    }
  }

  private static Provider choose(List<Provider> candidates) {
    return CHOICE.choose(candidates, Optional.empty());
  }

  private static Provider choose(List<Provider> candidates, String name) {
    return CHOICE.choose(candidates, Optional.of(name));
  }

  /** The message of the refusal to choose among {@code candidates} by {@code name}. */
  private static String unavailable(List<Provider> candidates, Optional<String> name) {
    return assertThrows(BackendUnavailableException.class, () -> CHOICE.choose(candidates, name))
        .getMessage();
  }

  @Test
  void theAvailableOneWithTheHighestPriorityIsChosenAndTheOthersClosed() {
    Provider low = Provider.available("low", 0);
    Provider middle = Provider.available("middle", 5);
    Provider high = Provider.unavailable("high", 10, "daemon down");

    assertSame(middle, choose(List.of(low, high, middle)));
    assertTrue(low.closed && high.closed);
    assertFalse(middle.closed);
  }

  @Test
  void aBlankNameChoosesAsNoNameDoes() {
    Provider low = Provider.available("low", 0);
    Provider high = Provider.available("high", 10);

    assertSame(high, choose(List.of(low, high), " "));
  }

  @Test
  void withOneProviderItsOwnReasonIsTheMessage() {
    assertEquals(
        "no socket at /x",
        unavailable(
            List.of(Provider.unavailable("incus", 1, "no socket at /x")), Optional.empty()));
  }

  @Test
  void withSeveralEachIsListedWithItsReasonByPriority() {
    List<Provider> both =
        List.of(Provider.unavailable("a", 1, "reason a"), Provider.unavailable("b", 2, "reason b"));

    assertEquals(
        "no widget is available (b: reason b; a: reason a)", unavailable(both, Optional.empty()));
  }

  @Test
  void noneAtAllGivesTheFix() {
    assertEquals("no widget on the class path: add one", unavailable(List.of(), Optional.empty()));
  }

  @Test
  void theNamedOneWinsOverOneOfHigherPriority() {
    Provider named = Provider.available("named", 0);
    Provider other = Provider.available("other", 10);

    assertSame(named, choose(List.of(other, named), "named"));
    assertTrue(other.closed);
  }

  @Test
  void anUnknownNameListsTheNamesOnTheClassPathAndClosesThemAll() {
    Provider a = Provider.available("alpha", 1);
    Provider b = Provider.available("beta", 2);

    ConfigException e = assertThrows(ConfigException.class, () -> choose(List.of(b, a), "gamma"));

    assertEquals(
        "unknown widget 'gamma': the class path has alpha, beta (set defaults.widget to one of"
            + " them)",
        e.getMessage());
    assertTrue(a.closed && b.closed);
  }

  @Test
  void aNamedOneThatIsUnavailableGivesItsReasonEvenWhenAnotherIsAvailable() {
    Provider available = Provider.available("fake", 5);
    Provider named = Provider.unavailable("incus", 1, "no socket at /x");

    assertEquals(
        "widget incus is not available: no socket at /x",
        unavailable(List.of(available, named), Optional.of("incus")));
  }
}
