package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.Session;
import dev.coi.api.SessionSpec;
import dev.coi.api.spi.SessionStore;
import dev.coi.core.config.ConfigLoader;
import dev.coi.tck.InMemorySessionStore;
import dev.coi.tck.LiveBackendTestBase;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions started at the same moment on one workspace, from threads of one JVM and from several
 * JVMs, against the real daemon: each gets its own slot and none fails.
 */
class SlotsIT extends LiveBackendTestBase {
  /** Saving sessions is not what these tests are about. */
  private static final SessionStore STORE = new InMemorySessionStore();

  private static final int THREADS = 10;
  private static final int PROCESSES = 5;

  /** The home of the engine: its sessions directory (and slot locks) are under it. */
  @TempDir Path home;

  private DefaultSessionEngine engine() {
    return new DefaultSessionEngine(
        settings -> {
          backend.configure(settings);
          return backend;
        },
        settings -> STORE,
        ConfigLoader.builder().home(home).build(),
        Clock.systemUTC());
  }

  private SessionSpec spec() {
    return sessionSpec("coi-test-min").build();
  }

  private static List<Integer> oneTo(int n) {
    return IntStream.rangeClosed(1, n).boxed().collect(Collectors.toList());
  }

  /**
   * The container of a session whose program asked for its stop as it ended, and is gone since, is
   * left to stop by itself: the next session does not wait for it and takes the next slot. (Its
   * stop here is a graceful one that this image's init ignores, so it stays under way.)
   */
  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aNewSessionDoesNotWaitForAnEndedSessionsContainerToStop() throws Exception {
    DefaultSessionEngine engine = engine();
    Session first = engine.start(spec());
    String leaving = first.name();
    backend.updateLabels(leaving, java.util.Map.of("pid", "999999999")); // its program is gone
    java.util.concurrent.CompletableFuture<Void> stop =
        java.util.concurrent.CompletableFuture.runAsync(
            () -> backend.shutdown(leaving, java.time.Duration.ofMinutes(2)));
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!backend.stopping().contains(leaving)) {
        assertTrue(System.nanoTime() < deadline, "no stop of " + leaving + " seen in 30 s");
        Thread.sleep(20);
      }

      try (Session next = engine.start(spec())) {
        assertEquals(2, next.slot(), "slot 1's container is still on its way out");
        assertTrue(backend.find(leaving).isPresent(), "the sweep waited for it");
      }
    } finally {
      backend.delete(leaving); // the hard way, which ends the graceful stop too
      stop.handle((done, failed) -> null).get(1, TimeUnit.MINUTES);
      first.close();
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void tenSessionsStartedAtOnceFromThreadsTakeSlotsOneToTen() throws Exception {
    DefaultSessionEngine engine = engine();
    ExecutorService threads = Executors.newFixedThreadPool(THREADS);
    List<Session> sessions = new ArrayList<>();
    try {
      List<Future<Session>> started = AllAtOnce.start(threads, THREADS, () -> engine.start(spec()));
      for (Future<Session> s : started) {
        sessions.add(s.get(3, TimeUnit.MINUTES));
      }

      assertEquals(
          oneTo(THREADS),
          sessions.stream().map(Session::slot).sorted().collect(Collectors.toList()));
      for (Session s : sessions) {
        assertEquals(0, s.run("true").exitCode(), s.name());
      }
    } finally {
      sessions.forEach(Session::close);
      threads.shutdownNow();
    }
    assertEquals(List.of(), containersOf(workspace.toRealPath()), "closed sessions leave nothing");
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void sessionsStartedAtOnceFromSeveralProcessesTakeDistinctSlots() throws Exception {
    List<Process> processes = new ArrayList<>();
    List<BufferedReader> outputs = new ArrayList<>();
    try {
      for (int i = 0; i < PROCESSES; i++) {
        Process p =
            new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    SlotHolder.class.getName(),
                    home.toString(),
                    workspace.toString())
                .redirectErrorStream(true)
                .start();
        processes.add(p);
        outputs.add(
            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
      }
      for (BufferedReader out : outputs) {
        awaitLine(out, "ready");
      }
      // Every JVM is up and waiting: let all of them start their session at once.
      for (Process p : processes) {
        tell(p);
      }
      List<Integer> slots = new ArrayList<>();
      for (BufferedReader out : outputs) {
        String line = awaitLine(out, "slot ");
        slots.add(Integer.parseInt(line.split(" ")[1]));
      }
      assertEquals(oneTo(PROCESSES), slots.stream().sorted().collect(Collectors.toList()));
      assertEquals(PROCESSES, containersOf(workspace.toRealPath()).size());

      for (Process p : processes) {
        tell(p);
      }
      for (int i = 0; i < PROCESSES; i++) {
        awaitLine(outputs.get(i), "closed");
        assertTrue(processes.get(i).waitFor(1, TimeUnit.MINUTES));
        assertEquals(0, processes.get(i).exitValue());
      }
      assertEquals(
          List.of(), containersOf(workspace.toRealPath()), "closed sessions leave nothing");
    } finally {
      processes.forEach(Process::destroyForcibly);
    }
  }

  private static void tell(Process p) throws IOException {
    OutputStream in = p.getOutputStream();
    in.write('\n');
    in.flush();
  }

  /** The first line starting with {@code prefix}; fails on {@code error} or the end of output. */
  private static String awaitLine(BufferedReader out, String prefix) throws IOException {
    StringBuilder seen = new StringBuilder();
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith(prefix)) {
        return line;
      }
      seen.append(line).append('\n');
      assertTrue(!line.startsWith("error "), "a coi process failed: " + seen);
    }
    assertNotNull(line, "a coi process ended before '" + prefix + "': " + seen);
    return line;
  }
}
