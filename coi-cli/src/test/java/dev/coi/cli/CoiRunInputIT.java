package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.tck.LiveBackendTestBase;
import java.io.File;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code coi run}'s standard input, piped or redirected, reaching the command in the container. */
class CoiRunInputIT extends LiveBackendTestBase {
  private static final Path JAR = Path.of("target", "coi.jar").toAbsolutePath();

  /** Runs coi with its stdin from {@code input}, in a JVM whose heap is {@code heap}. */
  private CoiRunIT.Result coi(File input, String heap, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("java", "-Xmx" + heap, "-jar", JAR.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(workspace.toFile());
    pb.environment().put("CLAUDE_ON_INCUS_IMAGE", "coi-test-min");
    pb.environment().put("CLAUDE_ON_INCUS_CONTAINER_PREFIX", TEST_PREFIX);
    pb.environment().remove("COI_DEBUG");
    return CoiRunIT.finish(pb.redirectInput(input), args);
  }

  @Test
  void pipedInputReachesTheCommand() throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder("sh", "-c", "echo x | java -jar \"$0\" run cat", JAR.toString())
            .directory(workspace.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().put("CLAUDE_ON_INCUS_IMAGE", "coi-test-min");
    pb.environment().put("CLAUDE_ON_INCUS_CONTAINER_PREFIX", TEST_PREFIX);
    Process coi = pb.start();
    coi.getOutputStream().close();
    String out = new String(coi.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(coi.waitFor(3, TimeUnit.MINUTES));
    assertEquals("x\n", out);
    assertEquals(0, coi.exitValue());
  }

  @Test
  void aHundredMebibytesPassIntactThroughASmallHeap(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path input = dir.resolve("input.bin");
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    Random random = new Random(12);
    byte[] chunk = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(input)) {
      for (int i = 0; i < 100; i++) {
        random.nextBytes(chunk);
        out.write(chunk);
        sha.update(chunk);
      }
    }
    String expected = HexFormat.of().formatHex(sha.digest());

    // 100 MiB through a 32 MiB heap: coi holds no more than a buffer of it at a time.
    CoiRunIT.Result r = coi(input.toFile(), "32m", "run", "sha256sum");

    assertEquals(0, r.exitCode(), r.stderr());
    assertEquals(expected + "  -\n", r.stdout());
  }

  @Test
  void theExitCodeIsPassedOnWithInputToo() throws Exception {
    CoiRunIT.Result r = coi(new File("/dev/null"), "64m", "run", "--", "sh", "-c", "cat; exit 7");
    assertEquals(new CoiRunIT.Result(7, "", ""), r);
  }

  @Test
  void aCommandThatStopsReadingEndsCoiNormally(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path input = dir.resolve("input.txt");
    try (OutputStream out = Files.newOutputStream(input)) {
      byte[] line = "line\n".getBytes(StandardCharsets.US_ASCII);
      for (int i = 0; i < 1_000_000; i++) {
        out.write(line);
      }
    }
    CoiRunIT.Result r = coi(input.toFile(), "64m", "run", "head", "-n", "2");
    assertEquals(new CoiRunIT.Result(0, "line\nline\n", ""), r);
  }
}
