package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The packaged coi in a child JVM, for fault tests: held at a named step of its start or end (the
 * test-only {@code COI_TEST_PAUSE_AT} seam), signalled or killed there, its output and exit code.
 */
final class CoiChild implements AutoCloseable {
  static final Path JAR = Path.of("target", "coi.jar").toAbsolutePath();

  private final Process process;
  private final Path pauses;
  private final Path stderr;
  private final BufferedReader stdout;

  private CoiChild(Process process, Path pauses, Path stderr) {
    this.process = process;
    this.pauses = pauses;
    this.stderr = stderr;
    this.stdout =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /**
   * Starts {@code coi ARGS} in the workspace on the test image; held at {@code pauseAt} when given
   * (the pause files go to {@code pauses}).
   */
  static CoiChild start(
      Path workspace, Path pauses, String prefix, Map<String, String> env, String... args)
      throws IOException {
    // SIGINT as a terminal would send it: a test run started in the background of a shell without
    // job control inherits SIGINT ignored, and the JVM then rightly leaves it ignored, so the
    // Ctrl+C tests would hang. perl (Debian's perl-base is essential) resets it and execs java in
    // the same process.
    List<String> command =
        new ArrayList<>(
            List.of("perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die \"exec: $!\"", "java"));
    command.addAll(List.of("-jar", JAR.toString()));
    command.addAll(List.of(args));
    Path err = Files.createTempFile(pauses, "coi-err", ".txt");
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(workspace.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectError(err.toFile());
    pb.environment().put("CLAUDE_ON_INCUS_IMAGE", "coi-test-min");
    pb.environment().put("CLAUDE_ON_INCUS_CONTAINER_PREFIX", prefix);
    pb.environment().put("COI_TEST_PAUSE_DIR", pauses.toString());
    pb.environment().remove("COI_DEBUG");
    pb.environment().putAll(env);
    return new CoiChild(pb.start(), pauses, err);
  }

  /** The environment that holds coi at {@code step}. */
  static Map<String, String> pausedAt(String step) {
    return Map.of("COI_TEST_PAUSE_AT", step);
  }

  /** Waits until coi is held at the step. */
  void awaitPaused(String step) throws InterruptedException {
    await(
        () -> Files.exists(pauses.resolve(step + ".reached")) || !process.isAlive(),
        "coi to reach " + step);
    assertTrue(process.isAlive(), "coi ended before reaching " + step + ": " + stderr());
  }

  /** Lets coi go on from the step it is held at. */
  void release(String step) throws IOException {
    Files.writeString(pauses.resolve(step + ".go"), "");
  }

  /** The next line of coi's standard output. */
  String readLine() throws Exception {
    return CompletableFuture.supplyAsync(
            () -> {
              try {
                return stdout.readLine();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            })
        .get(2, TimeUnit.MINUTES);
  }

  /** Sends a signal ({@code TERM}, {@code INT}, {@code KILL}) as a user or a supervisor would. */
  void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
    assertEquals(0, kill.waitFor(), "kill -" + name);
  }

  /** True while a thread of that name (its first 15 characters, as Linux keeps them) runs. */
  boolean hasThread(String name) {
    String shortName = name.substring(0, Math.min(15, name.length()));
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
      return tasks.anyMatch(
          t -> {
            try {
              return Files.readString(t.resolve("comm")).strip().equals(shortName);
            } catch (IOException gone) {
              return false;
            }
          });
    } catch (IOException gone) {
      return false;
    }
  }

  /** All of coi's standard output, once it has ended. */
  String readAll() throws Exception {
    return CompletableFuture.supplyAsync(
            () -> {
              StringBuilder all = new StringBuilder();
              try {
                for (String line = stdout.readLine(); line != null; line = stdout.readLine()) {
                  all.append(line).append('\n');
                }
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
              return all.toString();
            })
        .get(3, TimeUnit.MINUTES);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Waits for coi to end and gives its exit code; when it does not end, the failure carries its
   * threads, so that a rare hang says where it was.
   */
  int exitCode() throws InterruptedException {
    if (!process.waitFor(3, TimeUnit.MINUTES)) {
      fail("coi did not end; its stderr:\n" + stderr() + "\nits threads:\n" + threads());
    }
    return process.exitValue();
  }

  /** The JVM's thread dump, by the jcmd beside the java that runs coi. */
  private String threads() {
    try {
      String java = process.info().command().orElse("java");
      Path jcmd = Path.of(java).resolveSibling("jcmd");
      Process dump =
          new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "Thread.print")
              .redirectErrorStream(true)
              .start();
      String out = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      dump.waitFor(30, TimeUnit.SECONDS);
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "(no thread dump: interrupted)";
    } catch (IOException | RuntimeException e) {
      return "(no thread dump: " + e + ")";
    }
  }

  /** What coi wrote to its standard error so far. */
  String stderr() {
    try {
      return Files.readString(stderr, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits for a condition, with a deadline of two minutes. */
  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "waited two minutes for " + what);
      Thread.sleep(20);
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
