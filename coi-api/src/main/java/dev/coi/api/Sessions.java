package dev.coi.api;

import java.util.Comparator;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Where every session starts. Add {@code dev.coi:coi-core} (the engine) and a backend such as
 * {@code dev.coi:coi-incus} to the class path, then:
 *
 * <pre>{@code
 * try (Session s = Sessions.builder().workspace(Path.of(".")).start()) {
 *   ExecResult r = s.run("npm", "test");
 *   System.exit(r.exitCode());
 * }
 * }</pre>
 */
public final class Sessions {
  private Sessions() {}

  /** A builder for a session; {@code start()} on it starts one. */
  public static SessionSpec.Builder builder() {
    return SessionSpec.newBuilder();
  }

  /** Starts a session with the given spec. The caller closes it. */
  public static Session start(SessionSpec spec) {
    return EngineHolder.ENGINE
        .orElseThrow(
            () ->
                new CoiException(
                    "no coi engine on the class path: add the dev.coi:coi-core dependency"))
        .start(spec);
  }

  /** Loaded once, on first use, so that merely building specs needs no engine. */
  private static final class EngineHolder {
    static final Optional<SessionEngine> ENGINE =
        ServiceLoader.load(SessionEngine.class, Sessions.class.getClassLoader()).stream()
            .map(ServiceLoader.Provider::get)
            .max(Comparator.comparingInt(SessionEngine::priority));
  }
}
