package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.coi.api.ExecResult;
import dev.coi.api.Session;
import dev.coi.api.SessionSpec;
import dev.coi.api.spi.SessionStore;
import dev.coi.core.config.ConfigLoader;
import dev.coi.tck.LiveBackendTestBase;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions of the real engine on the real daemon, in the sandbox image with the agent stand-in,
 * with a host home of their own (so {@code sessions_dir} is under it).
 */
abstract class LiveSessionTestBase extends LiveBackendTestBase {
  static final String IMAGE = "coi-sandbox";

  @TempDir Path home;
  SessionStore store;

  /** An engine over the live backend whose store, once made, is kept in {@link #store}. */
  DefaultSessionEngine engineWith(Function<Map<String, String>, SessionStore> stores) {
    return new DefaultSessionEngine(
        settings -> backend,
        settings -> {
          store = stores.apply(settings);
          return store;
        },
        ConfigLoader.builder().environment(Map.of("TERM", "xterm")).home(home).build(),
        Clock.systemUTC());
  }

  SessionSpec.Builder spec() {
    return sessionSpec(IMAGE).agentCommand(List.of("claude-stub"));
  }

  /** Runs a shell script in the session; it must succeed. */
  static String out(Session s, String script) {
    ExecResult r = s.run("bash", "-c", script);
    assertEquals(0, r.exitCode(), r.stderr());
    return r.stdout();
  }
}
