package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./coi} launcher at the checkout's root, run as users run it, over the packaged jar. A
 * launcher that would set up the host is stopped right after the set-up's lock ({@code
 * COI_SETUP_STOP_AFTER_LOCK}), so no test installs anything.
 */
class LauncherIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path LAUNCHER = ROOT.resolve("coi");
  private static final Path JAR = ROOT.resolve("coi-cli/target/coi.jar");

  @TempDir Path dir;
  private ServerSocketChannel silentDaemon;
  private final List<SocketChannel> accepted = new ArrayList<>();
  private Path socket;

  /** A daemon socket that accepts connections and never answers: coi waits on it. */
  @BeforeEach
  void silentDaemon() throws IOException {
    socket = dir.resolve("incus.socket");
    silentDaemon = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX);
    silentDaemon.bind(UnixDomainSocketAddress.of(socket));
    Thread acceptor =
        new Thread(
            () -> {
              try {
                while (true) {
                  accepted.add(silentDaemon.accept());
                }
              } catch (IOException closed) {
                // The test is over.
              }
            },
            "launcher-it-silent-daemon");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  @AfterEach
  void stopIt() throws IOException {
    silentDaemon.close();
    for (SocketChannel c : accepted) {
      c.close();
    }
  }

  private ProcessBuilder launcher(String... args) {
    List<String> command = new ArrayList<>(List.of("bash", LAUNCHER.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    pb.environment().put("COI_SETUP_STOP_AFTER_LOCK", "1");
    pb.environment().put("COI_SETUP_LOCK", dir.resolve("setup.lock").toString());
    pb.environment().put("COI_SETUP_MIN_FREE_GIB", "0");
    return pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
  }

  private static String exeOf(Process p) {
    try {
      return Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "exe")).toString();
    } catch (IOException gone) {
      return "";
    }
  }

  @Test
  void theLauncherBecomesJavaEvenWhenItRecordsTheArchiveSoSigtermReachesIt() throws Exception {
    // Without an archive, the launcher records one: that run too must be java itself.
    try (var old = Files.newDirectoryStream(JAR.getParent(), "coi.jsa*")) {
      for (Path f : old) {
        Files.delete(f);
      }
    }
    ProcessBuilder pb = launcher("run", "true");
    pb.environment().put("COI_SKIP_SETUP", "1");
    pb.environment().put("INCUS_SOCKET", socket.toString());
    Process coi = pb.redirectErrorStream(true).redirectOutput(dir.resolve("out").toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (!exeOf(coi).endsWith("/java") && coi.isAlive()) {
        assertTrue(System.nanoTime() < deadline, "the launcher never became java: " + exeOf(coi));
        Thread.sleep(20);
      }
      assertTrue(coi.isAlive(), Files.readString(dir.resolve("out")));
      // coi now waits on the silent daemon.
      coi.destroy();
      assertTrue(coi.waitFor(1, TimeUnit.MINUTES), "SIGTERM did not end coi");
      assertEquals(ExitCodes.TERMINATED, coi.exitValue(), Files.readString(dir.resolve("out")));
    } finally {
      coi.destroyForcibly();
    }
  }

  @Test
  void aSocketInTheUsersConfigurationIsUsedRatherThanSettingUpALocalDaemon() throws Exception {
    Path config = dir.resolve("home/.config/claude-on-incus/config.toml");
    Files.createDirectories(config.getParent());
    Files.writeString(config, "[incus]\n# the daemon is elsewhere\nsocket = \"" + socket + "\"\n");
    // An incus command that finds no daemon: without the configuration, the host needs a set-up.
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path incus = Files.writeString(bin.resolve("incus"), "#!/bin/sh\nexit 1\n");
    Files.setPosixFilePermissions(incus, PosixFilePermissions.fromString("rwxr-xr-x"));
    ProcessBuilder pb = launcher("version");
    pb.environment().put("HOME", dir.resolve("home").toString());
    pb.environment().remove("XDG_CONFIG_HOME");
    pb.environment().remove("INCUS_SOCKET");
    pb.environment().remove("COI_SKIP_SETUP");
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    Path out = dir.resolve("out");
    Process coi = pb.redirectErrorStream(true).redirectOutput(out.toFile()).start();
    assertTrue(coi.waitFor(2, TimeUnit.MINUTES));

    String said = Files.readString(out);
    assertEquals(0, coi.exitValue(), said);
    assertFalse(said.contains("setting up the host"), said);
    assertTrue(said.contains("coi 0."), said);
  }

  @Test
  void twoFirstRunsAtOnceBuildOnceIntoTarget() throws Exception {
    // A stand-in for Maven that logs its runs and "builds" by touching the jar.
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path log = dir.resolve("builds.log");
    Path mvn =
        Files.writeString(
            bin.resolve("mvn"),
            "#!/bin/sh\necho start >> "
                + log
                + "\nsleep 1\ntouch "
                + JAR
                + "\necho end >> "
                + log
                + "\n");
    Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
    FileTime built = Files.getLastModifiedTime(JAR);
    Files.setLastModifiedTime(JAR, FileTime.from(Instant.parse("2000-01-01T00:00:00Z")));
    try {
      List<Process> both = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        ProcessBuilder pb = launcher("version");
        pb.environment().put("COI_SKIP_SETUP", "1");
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        both.add(
            pb.redirectErrorStream(true).redirectOutput(dir.resolve("out" + i).toFile()).start());
      }
      for (Process p : both) {
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue());
      }

      assertEquals(List.of("start", "end"), Files.readAllLines(log), "one build, not two at once");
    } finally {
      if (Files.getLastModifiedTime(JAR).toInstant().isBefore(built.toInstant())) {
        Files.setLastModifiedTime(JAR, built);
      }
    }
  }
}
