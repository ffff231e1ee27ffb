package dev.coi.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged coi run as a user runs it, in its own process with stdin from {@code /dev/null} (not
 * a terminal), on the test image and prefix; its exit code and output.
 */
final class CoiCli {
  private static final Path JAR = Path.of("target", "coi.jar").toAbsolutePath();

  private final Path directory;
  private final Map<String, String> env = new HashMap<>();

  CoiCli(Path directory, String prefix) {
    this.directory = directory;
    env.put("CLAUDE_ON_INCUS_IMAGE", "coi-test-min");
    env.put("CLAUDE_ON_INCUS_CONTAINER_PREFIX", prefix);
  }

  /** This runner with one more environment variable; a null value removes it. */
  CoiCli with(String name, String value) {
    CoiCli copy = new CoiCli(directory, env.get("CLAUDE_ON_INCUS_CONTAINER_PREFIX"));
    copy.env.putAll(env);
    copy.env.put(name, value);
    return copy;
  }

  record Result(int exitCode, String stdout, String stderr) {
    JsonNode json() {
      try {
        return new ObjectMapper().readTree(stdout);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + stdout + " / " + stderr, e);
      }
    }
  }

  Result run(String... args) {
    List<String> command = new ArrayList<>(List.of("java", "-jar", JAR.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(directory.toFile());
    pb.environment().remove("COI_DEBUG");
    env.forEach(
        (k, v) -> {
          if (v == null) {
            pb.environment().remove(k);
          } else {
            pb.environment().put(k, v);
          }
        });
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    try {
      Path out = Files.createTempFile("coi-out", ".txt");
      Path err = Files.createTempFile("coi-err", ".txt");
      try {
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
          p.destroyForcibly();
          throw new AssertionError("coi " + String.join(" ", args) + " did not finish");
        }
        return new Result(
            p.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.delete(out);
        Files.delete(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
