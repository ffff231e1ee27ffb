package dev.coi.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.coi.api.Session;
import dev.coi.tck.LiveBackendTestBase;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** JUnit's parallel execution: eight tests at once, each with a sandbox of its own. */
class ParallelSandboxesIT extends LiveBackendTestBase {
  static final Map<String, String> NAMES = new ConcurrentHashMap<>();
  static final Map<String, String> THREADS = new ConcurrentHashMap<>();

  @CoiSandbox
  @Execution(ExecutionMode.CONCURRENT)
  static class EightAtOnce {
    @CoiSandbox Session sandbox;

    private void check(String test) {
      NAMES.put(test, sandbox.name());
      THREADS.put(test, Thread.currentThread().getName());
      // Each container sees its own marker: the sandboxes are not shared by mistake.
      sandbox.run("sh", "-c", "echo " + test + " > /tmp/marker");
      assertEquals(test + "\n", sandbox.run("cat", "/tmp/marker").stdout());
    }

    @Test
    void t1() {
      check("t1");
    }

    @Test
    void t2() {
      check("t2");
    }

    @Test
    void t3() {
      check("t3");
    }

    @Test
    void t4() {
      check("t4");
    }

    @Test
    void t5() {
      check("t5");
    }

    @Test
    void t6() {
      check("t6");
    }

    @Test
    void t7() {
      check("t7");
    }

    @Test
    void t8() {
      check("t8");
    }
  }

  @Test
  void eightConcurrentTestsGetEightDistinctContainersAndAllPass() {
    FixtureRun run =
        FixtureRun.of(
            Map.of(
                "junit.jupiter.execution.parallel.enabled", "true",
                "junit.jupiter.execution.parallel.config.strategy", "fixed",
                "junit.jupiter.execution.parallel.config.fixed.parallelism", "8"),
            EightAtOnce.class);

    assertEquals(List.of(), run.withStatus("FAILED"), "failures");
    assertEquals(8, run.tests().stream().filter(t -> t.status().equals("SUCCESSFUL")).count());
    assertEquals(8, Set.copyOf(NAMES.values()).size(), "distinct containers: " + NAMES);
    assertEquals(
        Set.of(),
        NAMES.values().stream()
            .filter(n -> backend.find(n).isPresent())
            .collect(Collectors.toSet()),
        "containers left");
    // Not a timing claim: only that JUnit did run them on more than one thread.
    assertEquals(true, Set.copyOf(THREADS.values()).size() > 1, "threads: " + THREADS);
  }
}
