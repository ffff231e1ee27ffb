package dev.coi.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.tck.LiveBackendTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Example 2 on the real daemon: results, a failing task among others, and Ctrl+C. */
class OrchestratorIT extends LiveBackendTestBase {
  private static final Pattern RESULT =
      Pattern.compile("task (\\d+)  slot (\\d+)  exit (-?\\d+)  [0-9.]+ s  (.*)");

  @TempDir Path logs;

  @Test
  void everyTaskHasAResultAndOneFailureDoesNotStopTheOthers() throws Exception {
    Path out = logs.resolve("out");
    Process p =
        ExampleProcess.start(
            Orchestrator.class,
            Map.of(),
            out,
            workspace.toString(),
            "2",
            "5",
            "echo out $TASK; [ $TASK != 3 ]");
    assertTrue(p.waitFor(5, TimeUnit.MINUTES));
    String output = Files.readString(out);

    Map<Integer, Integer> exitCodes = new TreeMap<>();
    Set<Integer> slots = new java.util.TreeSet<>();
    for (String line : output.lines().toList()) {
      Matcher m = RESULT.matcher(line);
      if (m.matches()) {
        exitCodes.put(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(3)));
        slots.add(Integer.parseInt(m.group(2)));
        assertEquals("out " + m.group(1), m.group(4), line);
      }
    }
    assertEquals(Map.of(1, 0, 2, 0, 3, 1, 4, 0, 5, 0), exitCodes, output);
    assertTrue(Set.of(1, 2).containsAll(slots), "two slots of the workspace: " + output);
    assertTrue(output.contains("5 tasks over 2 slots: 1 failed"), output);
    assertEquals(1, p.exitValue(), output);
  }

  @Test
  void ctrlCRemovesEveryContainer() throws Exception {
    Path out = logs.resolve("out");
    Process p =
        ExampleProcess.start(
            Orchestrator.class,
            Map.of(),
            out,
            workspace.toString(),
            "2",
            "4",
            "touch /workspace/started-$TASK; sleep 600");
    // Both slots are running a task: their sessions are open.
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (startedTasks() < 2 && System.nanoTime() < deadline && p.isAlive()) {
      Thread.sleep(100);
    }
    assertEquals(2, startedTasks(), Files.readString(out));
    assertEquals(2, containersOf(workspace.toRealPath()).size());

    new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();

    assertTrue(p.waitFor(3, TimeUnit.MINUTES), "the orchestrator ended");
    assertEquals(List.of(), containersOf(workspace.toRealPath()), Files.readString(out));
  }

  private long startedTasks() throws java.io.IOException {
    try (Stream<Path> files = Files.list(workspace)) {
      return files.filter(f -> f.getFileName().toString().startsWith("started-")).count();
    }
  }
}
