package dev.coi.core.internal;

import dev.coi.api.BackendUnavailableException;
import dev.coi.api.ConfigException;
import dev.coi.api.spi.Availability;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;

/**
 * Chooses one provider of an SPI (container backends, session stores) among those on the class
 * path: the one the settings name under {@link DefaultSessionEngine#USE}, else the available one
 * with the highest priority. Providers say why they are unavailable, so every error here repeats
 * their reasons. The providers not chosen are closed.
 *
 * <p>The SPIs share no interface (each is public API on its own), so the chooser takes their
 * accessors.
 *
 * @param <T> the SPI
 */
final class ProviderChoice<T> {
  private static final System.Logger LOG = System.getLogger(ProviderChoice.class.getName());

  private final String kind;
  private final String configKey;
  private final String noneOnClassPath;
  private final Function<T, String> name;
  private final ToIntFunction<T> priority;
  private final Function<T, Availability> availability;
  private final Consumer<T> close;

  /**
   * @param kind what a provider is, for messages: {@code container backend}
   * @param configKey the configuration key that names one: {@code defaults.backend}
   * @param noneOnClassPath the message when there is no provider at all, with its fix
   */
  ProviderChoice(
      String kind,
      String configKey,
      String noneOnClassPath,
      Function<T, String> name,
      ToIntFunction<T> priority,
      Function<T, Availability> availability,
      Consumer<T> close) {
    this.kind = kind;
    this.configKey = configKey;
    this.noneOnClassPath = noneOnClassPath;
    this.name = name;
    this.priority = priority;
    this.availability = availability;
    this.close = close;
  }

  /**
   * Every provider of {@code spi} on coi-core's class path, each configured by {@code configure}
   * before any is asked anything.
   */
  static <S> List<S> load(Class<S> spi, Consumer<S> configure) {
    List<S> found = new ArrayList<>();
    ServiceLoader.load(spi, ProviderChoice.class.getClassLoader())
        .forEach(
            provider -> {
              configure.accept(provider);
              found.add(provider);
            });
    return found;
  }

  /** The provider the settings ask for (key {@link DefaultSessionEngine#USE}), or the best one. */
  T choose(List<T> candidates, Map<String, String> settings) {
    return choose(candidates, Optional.ofNullable(settings.get(DefaultSessionEngine.USE)));
  }

  /** The provider of that name, or the best one when none is named. */
  T choose(List<T> candidates, Optional<String> name) {
    Optional<String> wanted = name.filter(s -> !s.isBlank());
    List<T> byPriority = new ArrayList<>(candidates);
    // Highest first. Not Comparator.comparingInt: the JDK's lambda inside it is made at every
    // start, outside the CLI's AOT cache, and a JVM's first such lambda costs 15 to 35 ms
    // (docs/BENCHMARKS.md, "Session 8"); a lambda of coi's own is kept in the cache.
    byPriority.sort((a, b) -> Integer.compare(priority.applyAsInt(b), priority.applyAsInt(a)));
    T chosen = null;
    try {
      chosen = wanted.isPresent() ? named(byPriority, wanted.get()) : best(byPriority);
      return chosen;
    } finally {
      for (T other : byPriority) {
        if (other != chosen) {
          close.accept(other);
        }
      }
    }
  }

  private T named(List<T> candidates, String wanted) {
    T match =
        candidates.stream()
            .filter(c -> name.apply(c).equals(wanted))
            .findFirst()
            .orElseThrow(
                () ->
                    new ConfigException(
                        "unknown "
                            + kind
                            + " '"
                            + wanted
                            + "': the class path has "
                            + (candidates.isEmpty() ? "none" : names(candidates))
                            + " (set "
                            + configKey
                            + " to one of them)"));
    Availability state = availability.apply(match);
    if (!state.isAvailable()) {
      throw new BackendUnavailableException(
          kind + " " + wanted + " is not available: " + state.reason());
    }
    LOG.log(Level.DEBUG, "using {0} {1}, as configured", kind, wanted);
    return match;
  }

  private T best(List<T> byPriority) {
    if (byPriority.isEmpty()) {
      throw new BackendUnavailableException(noneOnClassPath);
    }
    List<String> reasons = new ArrayList<>();
    String lastReason = "";
    for (T candidate : byPriority) {
      Availability state = availability.apply(candidate);
      if (state.isAvailable()) {
        LOG.log(Level.DEBUG, "using {0} {1}", kind, name.apply(candidate));
        return candidate;
      }
      lastReason = state.reason();
      reasons.add(name.apply(candidate) + ": " + lastReason);
    }
    throw new BackendUnavailableException(
        reasons.size() == 1
            ? lastReason
            : "no " + kind + " is available (" + String.join("; ", reasons) + ")");
  }

  private String names(List<T> candidates) {
    return candidates.stream().map(name).sorted().collect(Collectors.joining(", "));
  }
}
