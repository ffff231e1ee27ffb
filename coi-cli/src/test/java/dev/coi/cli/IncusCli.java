package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The incus CLI, for tests that look at the daemon from outside coi (stdin from /dev/null). */
final class IncusCli {
  private IncusCli() {}

  /** What {@code incus ARGS} prints; its errors are dropped. */
  static String run(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("incus"));
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(2, TimeUnit.MINUTES), "incus " + String.join(" ", args));
    return out;
  }

  /** The fingerprints of the images with an alias starting with {@code prefix}. */
  static List<String> imagesNamed(String prefix) throws Exception {
    return run("image", "list", prefix, "--format", "csv", "--columns", "F")
        .lines()
        .filter(l -> !l.isBlank())
        .toList();
  }

  /** Deletes the images with an alias starting with {@code prefix}. */
  static void deleteImagesNamed(String prefix) throws Exception {
    for (String fingerprint : imagesNamed(prefix)) {
      run("image", "delete", fingerprint);
    }
  }
}
