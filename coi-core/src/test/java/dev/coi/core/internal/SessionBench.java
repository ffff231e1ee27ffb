package dev.coi.core.internal;

import dev.coi.api.Session;
import dev.coi.api.SessionSpec;
import dev.coi.api.Sessions;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.core.config.ConfigLoader;
import dev.coi.incus.Event;
import dev.coi.incus.EventSubscription;
import dev.coi.incus.IncusClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Benchmarks of the engine against the real daemon, run by hand through {@code bench/*.sh}:
 *
 * <ul>
 *   <li>{@code overhead N IMAGE WORKSPACE HOME}: N times {@code start()}, {@code run("true")},
 *       {@code close()} in this warm JVM, against the daemon's own time for the operations that
 *       session caused (from the {@code operation} events: the time of its final event minus {@code
 *       created_at}, for each finished operation on its instance, summed);
 *   <li>{@code parallel N IMAGE WORKSPACE HOME}: N sessions started at once on one workspace, one
 *       {@code run("true")} each, all closed; wall time and slots, against N one after another.
 * </ul>
 */
final class SessionBench {
  private static final String PREFIX = "coi-test-bench-";

  private SessionBench() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int n = Integer.parseInt(args[1]);
    String image = args[2];
    Path workspace = Path.of(args[3]);
    Path home = Path.of(args[4]);
    ContainerBackend backend = ServiceLoader.load(ContainerBackend.class).findFirst().orElseThrow();
    DefaultSessionEngine engine =
        new DefaultSessionEngine(
            settings -> {
              backend.configure(settings);
              return backend;
            },
            // The store users get: the file store, in the benchmark's own home.
            SessionStores::discover,
            ConfigLoader.builder().home(home).build(),
            Clock.systemUTC());
    SessionSpec spec =
        Sessions.builder().workspace(workspace).image(image).containerPrefix(PREFIX).build();
    try {
      if (mode.equals("overhead")) {
        overhead(engine, spec, n);
      } else {
        parallel(engine, spec, n);
      }
    } finally {
      backend.close();
    }
    System.exit(0);
  }

  // ---- overhead -------------------------------------------------------------------------------

  /** A finished daemon operation on one instance. */
  private record Op(String description, Instant created, Instant finished) {
    Duration took() {
      return Duration.between(created, finished);
    }
  }

  /** Operation events by instance name; terminal states only, keyed by operation id. */
  private static final class OperationLog {
    private final Map<String, Map<String, Op>> done = new HashMap<>();
    private final Map<String, Set<String>> running = new HashMap<>();
    private final Set<String> finished = new java.util.HashSet<>();
    private int failed;

    private static Instant instant(String text) {
      return java.time.OffsetDateTime.parse(text).toInstant();
    }

    /** Operations on instances that ended in failure (a refused create among them). */
    synchronized int failed() {
      return failed;
    }

    synchronized void onEvent(Event event) {
      if (!event.type().equals("operation")) {
        return;
      }
      Map<String, String> op = event.metadata();
      String resources = op.getOrDefault("resources", "");
      int at = resources.indexOf("/1.0/instances/");
      if (at < 0) {
        return;
      }
      int end = resources.indexOf('"', at);
      String instance = resources.substring(at + "/1.0/instances/".length(), end).split("[/?]")[0];
      String id = op.get("id");
      String status = op.getOrDefault("status", "");
      if (status.equals("Pending") || status.equals("Running")) {
        // Events may come out of order: a late "Running" of a finished operation is stale.
        if (!finished.contains(id)) {
          running.computeIfAbsent(instance, k -> new java.util.HashSet<>()).add(id);
        }
      } else if (finished.add(id)) {
        running.getOrDefault(instance, new java.util.HashSet<>()).remove(id);
        if (!status.equals("Success") && instance.startsWith(PREFIX)) {
          failed++;
        }
        // Incus leaves updated_at alone when a create or stop finishes: the event's time says when.
        done.computeIfAbsent(instance, k -> new java.util.LinkedHashMap<>())
            .put(
                id,
                new Op(
                    op.getOrDefault("description", ""),
                    instant(op.get("created_at")),
                    instant(event.timestamp())));
      }
      notifyAll();
    }

    /** The finished operations of an instance, once its stop has finished and none is running. */
    synchronized List<Op> awaitStopped(String instance) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!stopped(instance)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException("no finished stop operation seen for " + instance);
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return new ArrayList<>(done.remove(instance).values());
    }

    private boolean stopped(String instance) {
      return running.getOrDefault(instance, Set.of()).isEmpty()
          && done.getOrDefault(instance, Map.of()).values().stream()
              .anyMatch(
                  op ->
                      op.description().toLowerCase(Locale.ROOT).contains("stop")
                          || op.description().toLowerCase(Locale.ROOT).contains("delet"));
    }
  }

  private static void overhead(DefaultSessionEngine engine, SessionSpec spec, int n)
      throws Exception {
    OperationLog log = new OperationLog();
    double[] coi = new double[n];
    double[] daemon = new double[n];
    double[] start = new double[n];
    double[] run = new double[n];
    double[] close = new double[n];
    double[][] own = new double[3][n];
    double[][] gaps = new double[6][n];
    try (IncusClient client = IncusClient.local();
        EventSubscription events = client.events().subscribe(Set.of("operation"), log::onEvent)) {
      for (int i = -3; i < n; i++) { // three warm-up rounds
        long t0 = System.nanoTime();
        Instant at0 = Instant.now();
        Session s = engine.start(spec);
        long t1 = System.nanoTime();
        Instant at1 = Instant.now();
        if (s.run("true").exitCode() != 0) {
          throw new IllegalStateException("true failed in " + s.name());
        }
        long t2 = System.nanoTime();
        Instant at2 = Instant.now();
        s.close();
        long t3 = System.nanoTime();
        Instant at3 = Instant.now();
        List<Op> ops;
        try {
          ops = log.awaitStopped(s.name());
        } catch (IllegalStateException beforeTheStreamWasUp) {
          if (i < 0) {
            continue; // the event stream may connect after the first warm-up round started
          }
          throw beforeTheStreamWasUp;
        }
        double daemonMs = ops.stream().mapToLong(op -> op.took().toNanos()).sum() / 1e6;
        if (i < 0) {
          continue;
        }
        coi[i] = (t3 - t0) / 1e6;
        start[i] = (t1 - t0) / 1e6;
        run[i] = (t2 - t1) / 1e6;
        close[i] = (t3 - t2) / 1e6;
        daemon[i] = daemonMs;
        // What coi adds in each phase: its wall time there minus the daemon's operations of it.
        own[0][i] = start[i] - sum(ops, "Creating");
        own[1][i] = run[i] - sum(ops, "Executing");
        own[2][i] = close[i] - (daemonMs - sum(ops, "Creating") - sum(ops, "Executing"));
        // The same host clock: how long before each phase's first operation and after its last.
        List<Instant> marks = List.of(at0, at1, at2, at3);
        List<List<Op>> phases =
            List.of(
                only(ops, op -> op.description().startsWith("Creating")),
                only(ops, op -> op.description().startsWith("Executing")),
                only(
                    ops,
                    op ->
                        !op.description().startsWith("Creating")
                            && !op.description().startsWith("Executing")));
        for (int p = 0; p < 3; p++) {
          List<Op> phase = phases.get(p);
          gaps[2 * p][i] = millis(marks.get(p), phase.get(0).created());
          gaps[2 * p + 1][i] = millis(phase.get(phase.size() - 1).finished(), marks.get(p + 1));
        }
        StringBuilder detail = new StringBuilder();
        for (Op op : ops) {
          detail.append(
              String.format(Locale.ROOT, " %s %.0f;", op.description(), op.took().toNanos() / 1e6));
        }
        System.out.printf(
            Locale.ROOT,
            "run %2d: coi %6.1f ms (start %5.1f run %5.1f close %5.1f)  daemon ops %6.1f ms:%s%n",
            i + 1,
            coi[i],
            start[i],
            run[i],
            close[i],
            daemon[i],
            detail);
      }
    }
    double[] overhead = new double[n];
    for (int i = 0; i < n; i++) {
      overhead[i] = 100 * (coi[i] - daemon[i]) / daemon[i];
    }
    System.out.printf(Locale.ROOT, "%-28s %9s %9s%n", "", "median", "p90");
    row("coi start+run+close, ms", coi);
    row("  start, ms", start);
    row("  run(true), ms", run);
    row("  close, ms", close);
    row("daemon operations, ms", daemon);
    row("coi overhead, % of daemon", overhead);
    row("coi's own ms in start", own[0]);
    row("coi's own ms in run", own[1]);
    row("coi's own ms in close", own[2]);
    String[] names = {"start", "run", "close"};
    for (int p = 0; p < 3; p++) {
      row("  " + names[p] + ": before its op", gaps[2 * p]);
      row("  " + names[p] + ": after its op", gaps[2 * p + 1]);
    }
  }

  // ---- parallel -------------------------------------------------------------------------------

  private static void parallel(DefaultSessionEngine engine, SessionSpec spec, int n)
      throws Exception {
    // Warm-up: the classes, the connection pool, the image's first clone.
    try (Session s = engine.start(spec)) {
      s.run("true");
    }
    ExecutorService threads = Executors.newFixedThreadPool(n);
    OperationLog log = new OperationLog();
    try (IncusClient client = IncusClient.local();
        EventSubscription events = client.events().subscribe(Set.of("operation"), log::onEvent)) {
      for (int round = 1; round <= 3; round++) {
        long t0 = System.nanoTime();
        List<Integer> slots = sequential(engine, spec, n);
        double sequential = (System.nanoTime() - t0) / 1e6;
        long t1 = System.nanoTime();
        int failedBefore = log.failed();
        List<Integer> parallelSlots = parallel(engine, spec, n, threads);
        double parallel = (System.nanoTime() - t1) / 1e6;
        int failedOps = log.failed() - failedBefore;
        System.out.printf(
            Locale.ROOT,
            "round %d: %d sessions start+run(true)+close: sequential %7.0f ms, parallel %7.0f ms"
                + " (%.1fx); parallel slots %s, failed daemon operations %d%n",
            round,
            n,
            sequential,
            parallel,
            sequential / parallel,
            parallelSlots,
            failedOps);
        if (slots.stream().anyMatch(s -> s != 1)) {
          throw new IllegalStateException("a sequential session did not get slot 1: " + slots);
        }
      }
    } finally {
      threads.shutdownNow();
    }
  }

  private static List<Integer> sequential(DefaultSessionEngine engine, SessionSpec spec, int n) {
    List<Integer> slots = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      try (Session s = engine.start(spec)) {
        s.run("true");
        slots.add(s.slot());
      }
    }
    return slots;
  }

  /** All started at once; each runs once; then all closed at once. Fails on any collision. */
  private static List<Integer> parallel(
      DefaultSessionEngine engine, SessionSpec spec, int n, ExecutorService threads)
      throws Exception {
    long t0 = System.nanoTime();
    List<Future<Session>> started =
        AllAtOnce.start(
            threads,
            n,
            () -> {
              Session s = engine.start(spec);
              s.run("true");
              return s;
            });
    List<Session> sessions = new ArrayList<>();
    for (Future<Session> f : started) {
      sessions.add(f.get(5, TimeUnit.MINUTES));
    }
    double allRunning = (System.nanoTime() - t0) / 1e6;
    List<Future<?>> closed = new ArrayList<>();
    for (Session s : sessions) {
      closed.add(threads.submit(s::close));
    }
    for (Future<?> f : closed) {
      f.get(5, TimeUnit.MINUTES);
    }
    int[] slots = sessions.stream().mapToInt(Session::slot).sorted().toArray();
    for (int i = 0; i < n; i++) {
      if (slots[i] != i + 1) {
        throw new IllegalStateException("slots collided or skipped: " + Arrays.toString(slots));
      }
    }
    System.out.printf(
        Locale.ROOT,
        "  parallel: all started and run in %.0f ms, all closed %.0f ms later%n",
        allRunning,
        (System.nanoTime() - t0) / 1e6 - allRunning);
    return Arrays.stream(slots).boxed().toList();
  }

  private static List<Op> only(List<Op> ops, java.util.function.Predicate<Op> which) {
    return ops.stream().filter(which).toList();
  }

  private static double millis(Instant from, Instant to) {
    return Duration.between(from, to).toNanos() / 1e6;
  }

  private static double sum(List<Op> ops, String descriptionStart) {
    return ops.stream()
            .filter(op -> op.description().startsWith(descriptionStart))
            .mapToLong(op -> op.took().toNanos())
            .sum()
        / 1e6;
  }

  private static void row(String name, double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    System.out.printf(
        Locale.ROOT, "%-28s %9.1f %9.1f%n", name, percentile(sorted, 50), percentile(sorted, 90));
  }

  /** Nearest-rank percentile of sorted values. */
  private static double percentile(double[] sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }
}
