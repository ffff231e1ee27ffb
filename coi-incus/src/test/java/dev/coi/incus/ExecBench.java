package dev.coi.incus;

import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times execs in-process, in a warm JVM, for {@code bench/exec-vs-incus.sh}: a captured {@code
 * true} ({@link Exec#run}), a streamed {@code true} ({@link Exec#start}), and 100 MiB of stdout
 * streamed through {@link ExecProcess}. Prints one {@code name median_ms min_ms} line per figure.
 *
 * <p>Usage: {@code java -cp … dev.coi.incus.ExecBench INSTANCE [ROUND_TRIPS] [STREAMS]}
 */
public final class ExecBench {
  private static final long SIZE = 100L * 1024 * 1024;

  private ExecBench() {}

  public static void main(String[] args) throws Exception {
    String instance = args[0];
    int roundTrips = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    int streams = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    try (IncusClient client = IncusClient.local()) {
      // Warm-up: class loading, JIT, the connection pool and the daemon's own caches.
      for (int i = 0; i < 30; i++) {
        runTrue(client, instance);
        startTrue(client, instance);
      }
      for (int i = 0; i < 3; i++) {
        stream(client, instance);
      }
      report("captured-true", time(roundTrips, () -> runTrue(client, instance)));
      report("streamed-true", time(roundTrips, () -> startTrue(client, instance)));
      report("stream-100MiB", time(streams, () -> stream(client, instance)));
    }
  }

  private static void runTrue(IncusClient client, String instance) {
    check(client.exec().run(instance, ExecRequest.of("true")).exitCode(), 0);
  }

  private static void startTrue(IncusClient client, String instance) {
    try (ExecProcess p = client.exec().start(instance, ExecRequest.of("true"))) {
      check(p.waitFor(), 0);
    }
  }

  private static void stream(IncusClient client, String instance) throws Exception {
    ExecRequest head = ExecRequest.of("head", "-c", Long.toString(SIZE), "/dev/zero");
    try (ExecProcess p = client.exec().start(instance, head)) {
      InputStream out = p.stdout();
      byte[] buffer = new byte[64 * 1024];
      long total = 0;
      for (int n; (n = out.read(buffer)) > 0; ) {
        total += n;
      }
      check(p.waitFor(), 0);
      if (total != SIZE) {
        throw new IllegalStateException("streamed " + total + " bytes, not " + SIZE);
      }
    }
  }

  private interface Job {
    void run() throws Exception;
  }

  private static double[] time(int runs, Job job) throws Exception {
    double[] millis = new double[runs];
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      job.run();
      millis[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(millis);
    return millis;
  }

  private static void report(String name, double[] sorted) {
    int n = sorted.length;
    double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    System.out.printf(Locale.ROOT, "%s %.1f %.1f%n", name, median, sorted[0]);
  }

  private static void check(int exitCode, int expected) {
    if (exitCode != expected) {
      throw new IllegalStateException("exit code " + exitCode + ", expected " + expected);
    }
  }
}
