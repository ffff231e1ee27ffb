package dev.coi.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Restarts the shared Incus daemon for a fault test, as a package upgrade does: incusd gets SIGTERM
 * (its containers keep running) and is started again the way {@code images/setup-host.sh} starts it
 * where there is no systemd. Whatever happens in between, the daemon is started again before {@link
 * #restart} returns or throws. Before each restart a line goes to the file named by {@code
 * COI_DAEMON_EVENTS_LOG} (others sharing the daemon read it to explain a dropped connection), or to
 * {@code target/daemon-events.log}.
 */
final class DaemonRestart {
  private static final Path INCUSD = Path.of("/usr/libexec/incus/incusd");
  private static final String LOG = "/var/log/incusd.log";

  private DaemonRestart() {}

  /** Restarts incusd; {@code why} goes to the events log. */
  static void restart(String why) throws Exception {
    note(why);
    try {
      Optional<ProcessHandle> incusd = running();
      if (incusd.isPresent()) {
        incusd.get().destroy();
        await(() -> running().isEmpty(), "incusd to stop");
      }
    } finally {
      ensureRunning();
    }
  }

  /** Starts incusd if it is not running, and waits until it answers. */
  static void ensureRunning() throws Exception {
    if (running().isEmpty()) {
      ProcessBuilder start =
          new ProcessBuilder(
                  "setsid", "-f", INCUSD.toString(), "--group", "incus-admin", "--logfile", LOG)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD);
      start.environment().put("PATH", "/usr/libexec/incus:" + System.getenv("PATH"));
      Process setsid = start.start();
      if (setsid.waitFor() != 0) {
        throw new IllegalStateException("could not start incusd again: setsid failed");
      }
    }
    Process ready =
        new ProcessBuilder("incus", "admin", "waitready", "--timeout", "120")
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!ready.waitFor(3, TimeUnit.MINUTES) || ready.exitValue() != 0) {
      throw new IllegalStateException("incusd did not become ready again; see " + LOG);
    }
  }

  private static Optional<ProcessHandle> running() {
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      List<Long> pids =
          procs
              .filter(p -> p.getFileName().toString().matches("[0-9]+"))
              .filter(p -> "incusd".equals(comm(p)))
              .map(p -> Long.parseLong(p.getFileName().toString()))
              .toList();
      return pids.stream().map(ProcessHandle::of).flatMap(Optional::stream).findFirst();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String comm(Path proc) {
    try {
      return Files.readString(proc.resolve("comm")).strip();
    } catch (IOException gone) {
      return "";
    }
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

  private static void await(java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    CoiChild.await(condition, what);
  }
}
