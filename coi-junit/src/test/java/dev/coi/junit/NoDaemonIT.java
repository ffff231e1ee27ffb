package dev.coi.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.Session;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without a reachable daemon the tests are skipped with the reason, unless the run requires the
 * daemon. Each case runs in a JVM of its own whose configuration points at a socket that is not
 * there.
 */
class NoDaemonIT {
  @TempDir Path home;

  @CoiSandbox
  static class NeedsASandbox {
    @Test
    void runs(Session sandbox) {
      sandbox.run("true");
    }
  }

  private String runWithoutDaemon(Map<String, String> extraEnv) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.home=" + home,
                "-cp",
                System.getProperty("java.class.path"),
                FixtureRun.class.getName(),
                NeedsASandbox.class.getName())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.remove(CoiSandboxExtension.REQUIRE_DAEMON_ENV);
    env.remove("INCUS_SOCKET");
    env.remove("INCUS_DIR");
    env.put("CLAUDE_ON_INCUS_INCUS_SOCKET", home.resolve("no-such.socket").toString());
    env.putAll(extraEnv);
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(2, TimeUnit.MINUTES));
    assertEquals(0, p.exitValue(), output);
    return output;
  }

  @Test
  void testsAreSkippedWithTheReason() throws Exception {
    String output = runWithoutDaemon(Map.of());

    String skipped =
        output
            .lines()
            .filter(l -> l.startsWith("SKIPPED NoDaemonIT$NeedsASandbox"))
            .findFirst()
            .orElse("");
    assertTrue(skipped.contains("no coi sandbox can be started: "), output);
    assertTrue(skipped.contains("no-such.socket"), "the reason names the socket: " + output);
    assertTrue(skipped.contains("coi.junit.requireDaemon=true to fail instead"), output);
    assertTrue(output.lines().noneMatch(l -> l.startsWith("FAILED")), output);
  }

  @Test
  void theEnvironmentVariableMakesItAFailure() throws Exception {
    String output = runWithoutDaemon(Map.of(CoiSandboxExtension.REQUIRE_DAEMON_ENV, "true"));

    assertTrue(
        output
            .lines()
            .anyMatch(
                l ->
                    l.startsWith("FAILED NoDaemonIT$NeedsASandbox")
                        && l.contains("no-such.socket")),
        output);
    assertTrue(output.lines().noneMatch(l -> l.startsWith("SKIPPED")), output);
  }
}
