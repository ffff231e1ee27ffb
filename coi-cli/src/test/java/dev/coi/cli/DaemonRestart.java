package dev.coi.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Restarts the shared Incus daemon for a fault test, as a package upgrade does: incusd gets SIGTERM
 * (its containers keep running; one that has not exited after a minute gets SIGKILL) and is started
 * again the way {@code images/setup-host.sh} starts it where there is no systemd. Whatever happens
 * in between, the daemon is started again before {@link #restart} returns or throws. Before each
 * restart a line goes to the file named by {@code COI_DAEMON_EVENTS_LOG} (others sharing the daemon
 * read it to explain a dropped connection), or to {@code target/daemon-events.log}.
 */
final class DaemonRestart {
  private static final Path INCUSD = Path.of("/usr/libexec/incus/incusd");
  private static final String LOG = "/var/log/incusd.log";

  private DaemonRestart() {}

  /** Restarts incusd; {@code why} goes to the events log. */
  static void restart(String why) throws Exception {
    note(why);
    try {
      // By the pid the daemon gives: its helpers ([lxc monitor], forkexec) are named incusd too.
      Optional<ProcessHandle> daemon = ProcessHandle.of(serverPid());
      if (daemon.isPresent()) {
        daemon.get().destroy();
        // It may wait for operations under way before it exits; the new one can only start then.
        if (!exited(daemon.get())) {
          daemon.get().destroyForcibly();
          if (!exited(daemon.get())) {
            throw new IllegalStateException("incusd " + daemon.get().pid() + " did not exit");
          }
        }
      }
    } finally {
      ensureRunning();
    }
  }

  /** Starts incusd if no daemon runs, and waits until it answers. */
  static void ensureRunning() throws Exception {
    if (!answers() && !daemonProcessRuns()) {
      ProcessBuilder start =
          new ProcessBuilder(
                  "setsid", "-f", INCUSD.toString(), "--group", "incus-admin", "--logfile", LOG)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD);
      start.environment().put("PATH", "/usr/libexec/incus:" + System.getenv("PATH"));
      if (start.start().waitFor() != 0) {
        throw new IllegalStateException("could not start incusd again: setsid failed");
      }
    }
    if (run("incus", "admin", "waitready", "--timeout", "120").isEmpty()) {
      throw new IllegalStateException("incusd did not become ready again; see " + LOG);
    }
  }

  /** Waits up to a minute for a process to end. */
  private static boolean exited(ProcessHandle process) throws InterruptedException {
    try {
      process.onExit().get(1, TimeUnit.MINUTES);
      return true;
    } catch (java.util.concurrent.TimeoutException stillThere) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The daemon's pid, as {@code GET /1.0} gives it. */
  private static long serverPid() throws Exception {
    String answer = run("incus", "query", "/1.0").orElseThrow();
    Matcher pid = Pattern.compile("\"server_pid\": (\\d+)").matcher(answer);
    if (!pid.find()) {
      throw new IllegalStateException("GET /1.0 gave no server_pid: " + answer);
    }
    return Long.parseLong(pid.group(1));
  }

  private static boolean answers() {
    try {
      return run("timeout", "10", "incus", "query", "/1.0").isPresent();
    } catch (Exception e) {
      return false;
    }
  }

  /** True while a process runs the daemon itself (not one of its helpers, as after a stop). */
  private static boolean daemonProcessRuns() throws IOException {
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      return procs
          .filter(p -> p.getFileName().toString().matches("[0-9]+"))
          .anyMatch(
              p -> {
                String[] argv = cmdline(p).split("\0");
                return argv.length > 1 && argv[0].endsWith("incusd") && argv[1].startsWith("--");
              });
    }
  }

  private static String cmdline(Path proc) {
    try {
      return Files.readString(proc.resolve("cmdline"));
    } catch (IOException | RuntimeException gone) {
      return "";
    }
  }

  /** A command's output when it exits 0 within three minutes; empty otherwise. */
  private static Optional<String> run(String... command) throws Exception {
    Process p =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      return Optional.empty();
    }
    return p.exitValue() == 0 ? Optional.of(out) : Optional.empty();
  }

  private static void note(String why) throws IOException {
    String named = System.getenv("COI_DAEMON_EVENTS_LOG");
    Path log = named != null ? Path.of(named) : Path.of("target", "daemon-events.log");
    Files.writeString(
        log,
        Instant.now() + " rel-faults DaemonRestartIT: restarting incusd (" + why + ")\n",
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }
}
