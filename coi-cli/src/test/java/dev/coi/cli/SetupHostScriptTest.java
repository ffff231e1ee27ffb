package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host set-up script's lock, exercised alone: {@code COI_SETUP_STOP_AFTER_LOCK} makes it stop
 * once it holds the lock, so no test runs a real install (nor touches the shared daemon).
 */
class SetupHostScriptTest {
  private static final Path SCRIPT = Path.of("..", "images", "setup-host.sh").toAbsolutePath();

  @TempDir Path dir;

  @BeforeEach
  void asRoot() {
    // Without root the script only checks that a set-up host answers, and never locks.
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
  }

  record Result(int exitCode, String stdout, String stderr) {}

  private ProcessBuilder setup(Path lock) {
    ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString());
    pb.environment().put("COI_SETUP_MIN_FREE_GIB", "0");
    pb.environment().put("COI_SETUP_STOP_AFTER_LOCK", "1");
    if (lock != null) {
      pb.environment().put("COI_SETUP_LOCK", lock.toString());
    }
    return pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
  }

  private Result run(ProcessBuilder pb) throws Exception {
    Path out = dir.resolve("out-" + System.nanoTime());
    Path err = dir.resolve("err-" + System.nanoTime());
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the set-up did not stop");
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  @Test
  void whatTheScriptSaysOnStderrAfterTakingTheLockIsSeen() throws Exception {
    Result r = run(setup(dir.resolve("setup.lock")));

    assertEquals(0, r.exitCode(), r.stderr());
    assertTrue(
        r.stderr().contains("holding the set-up lock " + dir.resolve("setup.lock")), r.stderr());
  }

  @Test
  void aLinkPlantedAtTheLockIsRefusedAndItsTargetLeftAlone() throws Exception {
    Path target = Files.writeString(dir.resolve("precious"), "keep me\n");
    Path lock = Files.createSymbolicLink(dir.resolve("setup.lock"), target);

    Result r = run(setup(lock));

    assertEquals(1, r.exitCode());
    assertTrue(r.stderr().contains(lock + " is a symbolic link"), r.stderr());
    assertEquals("keep me\n", Files.readString(target));
  }

  @Test
  void theDefaultLockIsWhereOnlyRootCanCreateFiles() throws Exception {
    Result r = run(setup(null));

    assertEquals(0, r.exitCode(), r.stderr());
    String line =
        r.stderr()
            .lines()
            .filter(l -> l.contains("holding the set-up lock"))
            .findFirst()
            .orElseThrow(() -> new AssertionError(r.stderr()));
    Path lock = Path.of(line.replaceFirst(".*holding the set-up lock (\\S+);.*", "$1"));
    assertFalse(
        Files.getPosixFilePermissions(lock.getParent()).contains(PosixFilePermission.OTHERS_WRITE),
        lock.getParent() + " is writable by every user: a link could be planted there");
    assertEquals(0, Files.getAttribute(lock.getParent(), "unix:uid"));
  }

  @Test
  void twoSetUpsAtOnceTakeTurns() throws Exception {
    Path lock = dir.resolve("setup.lock");
    // The first set-up, as far as the lock is concerned: holds it until its stdin closes.
    Process first =
        new ProcessBuilder("flock", lock.toString(), "sh", "-c", "echo held; read x").start();
    try {
      BufferedReader firstOut =
          new BufferedReader(new InputStreamReader(first.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("held", firstOut.readLine());

      Process second = setup(lock).redirectErrorStream(true).start();
      BufferedReader secondOut =
          new BufferedReader(
              new InputStreamReader(second.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("coi setup: another coi setup is running, waiting for it", secondOut.readLine());
      assertTrue(second.isAlive(), "the second went on while the first held the lock");

      first.getOutputStream().close(); // the first set-up ends
      assertTrue(second.waitFor(2, TimeUnit.MINUTES), "the second never got its turn");
      assertEquals(0, second.exitValue());
      List<String> rest = secondOut.lines().toList();
      assertTrue(rest.get(0).contains("holding the set-up lock"), rest.toString());
    } finally {
      first.destroyForcibly();
    }
  }
}
