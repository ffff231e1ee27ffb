package dev.coi.incus;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The measuring half of {@code bench/exec-vs-incus.sh}: on one running instance, in this warm JVM,
 * times execs through {@link IncusClient} and the same execs through the {@code incus} CLI, run by
 * turns so that both meet the same load on the machine.
 *
 * <ul>
 *   <li>{@code true}: {@link Exec#run} (captured output) and {@link Exec#start} + {@link
 *       ExecProcess#waitFor()}, against {@code incus exec NAME -- true};
 *   <li>100 MiB of stdout: {@link ExecProcess#stdout()} read to its end, against {@code incus exec
 *       NAME -- head -c 104857600 /dev/zero > /dev/null}.
 * </ul>
 *
 * <p>Usage: {@code java -cp … dev.coi.incus.ExecBench INSTANCE [ROUND_TRIPS] [STREAMS]}
 */
public final class ExecBench {
  private static final long SIZE = 100L * 1024 * 1024;
  private static final File DEV_NULL = new File("/dev/null");

  private ExecBench() {}

  public static void main(String[] args) throws Exception {
    String instance = args[0];
    int roundTrips = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    int streams = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    List<String> cliTrue = List.of("incus", "exec", instance, "--", "true");
    List<String> cliStream =
        List.of("incus", "exec", instance, "--", "head", "-c", Long.toString(SIZE), "/dev/zero");
    try (IncusClient client = IncusClient.local()) {
      // Warm-up: class loading and JIT here, the daemon's caches and the CLI's page cache there.
      for (int i = 0; i < 30; i++) {
        runTrue(client, instance);
        startTrue(client, instance);
      }
      for (int i = 0; i < 3; i++) {
        stream(client, instance);
        cli(cliTrue);
        cli(cliStream);
      }

      double[] run = new double[roundTrips];
      double[] start = new double[roundTrips];
      double[] cli = new double[roundTrips];
      for (int i = 0; i < roundTrips; i++) {
        run[i] = time(() -> runTrue(client, instance));
        start[i] = time(() -> startTrue(client, instance));
        cli[i] = time(() -> cli(cliTrue));
      }
      double[] javaStream = new double[streams];
      double[] cliStreamed = new double[streams];
      for (int i = 0; i < streams; i++) {
        javaStream[i] = time(() -> stream(client, instance));
        cliStreamed[i] = time(() -> cli(cliStream));
      }

      System.out.printf(Locale.ROOT, "%-44s %9s %9s%n", "exec", "median ms", "min ms");
      row("IncusClient exec().run(true)  (captured)", run);
      row("IncusClient exec().start(true).waitFor()", start);
      row("incus exec NAME -- true", cli);
      row("ExecProcess stdout, 100 MiB", javaStream);
      row("incus exec NAME -- head -c 100MiB >/dev/null", cliStreamed);
      System.out.printf(
          Locale.ROOT,
          "ratio run/CLI %.2f, start/CLI %.2f, stream/CLI %.2f (below 1: faster than the CLI)%n",
          median(run) / median(cli),
          median(start) / median(cli),
          median(javaStream) / median(cliStreamed));
      System.out.printf(
          Locale.ROOT,
          "throughput: ExecProcess %.0f MiB/s, incus CLI %.0f MiB/s%n",
          100_000 / median(javaStream),
          100_000 / median(cliStreamed));
    }
  }

  private static void runTrue(IncusClient client, String instance) {
    check(client.exec().run(instance, ExecRequest.of("true")).exitCode());
  }

  private static void startTrue(IncusClient client, String instance) {
    try (ExecProcess p = client.exec().start(instance, ExecRequest.of("true"))) {
      check(p.waitFor());
    }
  }

  private static void stream(IncusClient client, String instance) throws IOException {
    ExecRequest head = ExecRequest.of("head", "-c", Long.toString(SIZE), "/dev/zero");
    try (ExecProcess p = client.exec().start(instance, head)) {
      InputStream out = p.stdout();
      byte[] buffer = new byte[64 * 1024];
      long total = 0;
      for (int n; (n = out.read(buffer)) > 0; ) {
        total += n;
      }
      check(p.waitFor());
      if (total != SIZE) {
        throw new IllegalStateException("streamed " + total + " bytes, not " + SIZE);
      }
    }
  }

  /**
   * As a shell runs it: stdin from /dev/null (the CLI can hang on an open pipe), output dropped.
   */
  private static void cli(List<String> command) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(command)
            .redirectInput(DEV_NULL)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    check(p.waitFor());
  }

  private interface Job {
    void run() throws Exception;
  }

  private static double time(Job job) throws Exception {
    long t0 = System.nanoTime();
    job.run();
    return (System.nanoTime() - t0) / 1e6;
  }

  private static void row(String name, double[] millis) {
    double[] sorted = millis.clone();
    Arrays.sort(sorted);
    System.out.printf(Locale.ROOT, "%-44s %9.1f %9.1f%n", name, median(sorted), sorted[0]);
  }

  private static double median(double[] millis) {
    double[] sorted = millis.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static void check(int exitCode) {
    if (exitCode != 0) {
      throw new IllegalStateException("exit code " + exitCode);
    }
  }
}
