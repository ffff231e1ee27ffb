package dev.coi.core.internal;

import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.SessionStore;
import dev.coi.core.config.ConfigLoader;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/** Engines for tests, on a given backend and store, configured from {@code home} alone. */
final class TestEngines {
  private TestEngines() {}

  /** An engine whose configuration comes from {@code home} and no environment variable. */
  static DefaultSessionEngine on(
      ContainerBackend backend, SessionStore store, Path home, Clock clock) {
    return new DefaultSessionEngine(
        settings -> backend,
        settings -> store,
        ConfigLoader.builder().environment(Map.of()).home(home).build(),
        clock);
  }
}
