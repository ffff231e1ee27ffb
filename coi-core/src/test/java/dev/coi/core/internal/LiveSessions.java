package dev.coi.core.internal;

import dev.coi.api.Session;
import dev.coi.api.SessionSpec;
import dev.coi.api.Sessions;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.core.config.ConfigLoader;
import dev.coi.tck.InMemorySessionStore;
import dev.coi.tck.LiveBackendTestBase;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.UnaryOperator;

/** Sessions on the real daemon for this package's ITs, with this host's id delegation checked. */
final class LiveSessions {
  private LiveSessions() {}

  /** A session of {@code workspace} in {@code image}; saving is not what these tests look at. */
  static Session start(ContainerBackend backend, Path home, Path workspace, String image) {
    return start(backend, home, workspace, image, spec -> spec);
  }

  /** The same, with {@code spec} given the chance to set more of the session's spec. */
  static Session start(
      ContainerBackend backend,
      Path home,
      Path workspace,
      String image,
      UnaryOperator<SessionSpec.Builder> spec) {
    DefaultSessionEngine engine =
        new DefaultSessionEngine(
            settings -> {
              backend.configure(settings);
              return backend;
            },
            settings -> new InMemorySessionStore(),
            ConfigLoader.builder().home(home).build(),
            Clock.systemUTC(),
            IdDelegation.ofThisHost());
    return engine.start(
        spec.apply(
                Sessions.builder()
                    .workspace(workspace)
                    .image(image)
                    .containerPrefix(LiveBackendTestBase.TEST_PREFIX))
            .build());
  }
}
