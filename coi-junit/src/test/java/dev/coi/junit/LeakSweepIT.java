package dev.coi.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.Session;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.tck.LiveBackendTestBase;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A killed run leaves its sandboxes behind; the next run removes them, and only them: a sandbox of
 * a run that is still going stays. (That sessions without the extension's labels are never touched
 * is coi-core's ScopedSweepTest: planted here with a dead owner, any other test JVM's start-up
 * sweep of {@code coi-test-} containers could take them.)
 */
class LeakSweepIT extends LiveBackendTestBase {
  private final String suffix = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  private final String leaked = TEST_PREFIX + "junit-leak-" + suffix;
  private final String liveRun = TEST_PREFIX + "junit-live-" + suffix;

  @CoiSandbox
  static class AnyTest {
    @Test
    void runs(Session sandbox) {
      assertEquals(0, sandbox.run("true").exitCode());
    }
  }

  @AfterEach
  void removePlanted() {
    for (String name : List.of(leaked, liveRun)) {
      if (backend.find(name).isPresent()) {
        backend.delete(name);
      }
    }
  }

  /** A running container with the labels coi and the extension write, owned by {@code pid}. */
  private void plant(String name, long pid, Map<String, String> callerLabels) throws Exception {
    ContainerSpec.Builder spec =
        ContainerSpec.builder()
            .name(name)
            .image("coi-test-min")
            .putLabels("session", name)
            .putLabels("mode", "ephemeral")
            .putLabels("workspace", workspace.toRealPath().toString())
            .putLabels("slot", "1")
            .putLabels("pid", Long.toString(pid));
    callerLabels.forEach((k, v) -> spec.putLabels("label." + k, v));
    backend.create(spec.build());
  }

  /** The pid of a process that has ended. */
  private static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    assertTrue(p.waitFor(1, TimeUnit.MINUTES));
    return p.pid();
  }

  @Test
  void theNextRunRemovesSandboxesOfARunWhoseProcessIsGone() throws Exception {
    long dead = deadPid();
    long alive = ProcessHandle.current().pid();
    plant(leaked, dead, Map.of(TestRun.RUN_LABEL, "killed-run", TestRun.PID_LABEL, "" + dead));
    plant(liveRun, alive, Map.of(TestRun.RUN_LABEL, "going-on", TestRun.PID_LABEL, "" + alive));

    FixtureRun run = FixtureRun.of(AnyTest.class);

    assertEquals(List.of(), run.withStatus("FAILED"));
    assertTrue(backend.find(leaked).isEmpty(), "the dead run's sandbox is removed");
    assertTrue(backend.find(liveRun).isPresent(), "a run still going keeps its sandbox");
  }
}
