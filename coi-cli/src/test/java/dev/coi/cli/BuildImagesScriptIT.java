package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * images/build-images.sh, the one way images are made, under a test prefix (so the real aliases are
 * never touched) and limited to the busybox image (seconds, no debootstrap): a missing image is
 * built, probed and aliased with its recipe hash; a second run finds it up to date and changes
 * nothing. (The full path, coi-base then coi build of coi-sandbox and coi-privileged, is measured
 * in docs/BENCHMARKS.md; it takes minutes.)
 */
class BuildImagesScriptIT {
  private static final Path SCRIPT = Path.of("..", "images", "build-images.sh").toAbsolutePath();
  private final String prefix = "coi-test-bi" + UUID.randomUUID().toString().substring(0, 6) + "-";
  @TempDir Path dir;

  @BeforeEach
  void asRoot() {
    // The script builds a root file system (chroot, numeric owners): root only.
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
  }

  @AfterEach
  void deleteImages() throws Exception {
    IncusCli.deleteImagesNamed(prefix);
  }

  private String run() throws Exception {
    Path out = dir.resolve("out-" + System.nanoTime());
    ProcessBuilder pb =
        new ProcessBuilder("bash", SCRIPT.toString())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectErrorStream(true)
            .redirectOutput(out.toFile());
    pb.environment().put("COI_IMAGE_PREFIX", prefix);
    pb.environment().put("COI_SETUP_SKIP_SANDBOX", "1");
    Process p = pb.start();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "build-images.sh did not end");
    String output = Files.readString(out);
    assertEquals(0, p.exitValue(), output);
    return output;
  }

  @Test
  void aMissingImageIsBuiltUnderThePrefixAndASecondRunChangesNothing() throws Exception {
    String first = run();

    String alias = prefix + "coi-test-min";
    assertTrue(first.contains("image " + alias + " missing, building"), first);
    assertTrue(first.contains("skipping coi-base, coi-sandbox and coi-privileged"), first);
    List<String> built = IncusCli.imagesNamed(alias);
    assertEquals(1, built.size(), "one image under " + alias);
    assertFalse(
        IncusCli.run("image", "get-property", alias, "coi.recipe").isBlank(),
        "the recipe hash is recorded");

    String second = run();

    assertTrue(second.contains("image " + alias + " up to date"), second);
    assertFalse(second.contains("building"), second);
    assertEquals(built, IncusCli.imagesNamed(alias), "the image was not replaced");
  }
}
