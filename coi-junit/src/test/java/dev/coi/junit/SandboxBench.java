package dev.coi.junit;

import dev.coi.api.Session;
import dev.coi.api.Sessions;
import dev.coi.hostfs.HostTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * What the extension costs per test over a session's own start and close, in a warm JVM: each round
 * runs {@value #TESTS} tests, each with a fresh sandbox running {@code true}, through the JUnit
 * launcher; then the same {@value #TESTS} sessions by hand (fresh temporary workspace, start, run,
 * close, delete). Run by bench/junit-and-orchestrator.sh, never by the build.
 */
final class SandboxBench {
  static final int TESTS = 5;

  @CoiSandbox
  static class FiveTests {
    @Test
    void a(Session s) {
      s.run("true");
    }

    @Test
    void b(Session s) {
      s.run("true");
    }

    @Test
    void c(Session s) {
      s.run("true");
    }

    @Test
    void d(Session s) {
      s.run("true");
    }

    @Test
    void e(Session s) {
      s.run("true");
    }
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    byHand();
    extension(); // warm-up of both
    List<Long> hand = new ArrayList<>();
    List<Long> ext = new ArrayList<>();
    List<Long> overhead = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      // Alternate which goes first: the daemon may still be removing the previous containers.
      long h;
      long e;
      if (r % 2 == 0) {
        h = byHand();
        e = extension();
      } else {
        e = extension();
        h = byHand();
      }
      hand.add(h);
      ext.add(e);
      overhead.add(e - h);
      System.out.printf(
          Locale.ROOT,
          "round %d: by hand %d ms/test, extension %d ms/test, overhead %+d ms/test%n",
          r + 1,
          h,
          e,
          e - h);
    }
    System.out.printf(
        Locale.ROOT,
        "median of %d rounds: by hand %d ms/test, extension %d ms/test, overhead %+d ms/test%n",
        rounds,
        median(hand),
        median(ext),
        median(overhead));
  }

  /** Milliseconds per test through the launcher and the extension. */
  private static long extension() {
    long start = System.nanoTime();
    FixtureRun run = FixtureRun.of(FiveTests.class);
    long perTest = (System.nanoTime() - start) / 1_000_000 / TESTS;
    if (run.tests().stream().filter(t -> t.status().equals("SUCCESSFUL")).count() != TESTS) {
      throw new IllegalStateException("the fixture failed: " + run.outcomes);
    }
    return perTest;
  }

  /** Milliseconds per session started, used and closed by hand, on a fresh workspace each. */
  private static long byHand() throws Exception {
    long start = System.nanoTime();
    for (int i = 0; i < TESTS; i++) {
      Path ws = Files.createTempDirectory("coi-bench-").toRealPath();
      try (Session s = Sessions.builder().workspace(ws).persistent(false).start()) {
        s.run("true");
      } finally {
        HostTrees.delete(ws);
      }
    }
    return (System.nanoTime() - start) / 1_000_000 / TESTS;
  }

  private static long median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }
}
