package dev.coi.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.ExecResult;
import dev.coi.api.Session;
import dev.coi.api.SessionSpec;
import dev.coi.api.Sessions;
import dev.coi.junit.CoiSandbox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Example 4: a test class with {@code @CoiSandbox} that builds a small project in a fresh
 * container. The project (src/test/project) is a shell project, built by {@code sh build.sh}: coi's
 * test image has busybox and no JDK, Maven or make; with an image that has them, the build command
 * is the only change ({@code mvn -B verify}, {@code make test}).
 */
@CoiSandbox(spec = "project")
class ProjectBuildIT {

  /** A fresh workspace holding a copy of the project, so the build never writes the sources. */
  static SessionSpec project(Path workspace) {
    copy(Path.of("src/test/project"), workspace);
    return Sessions.builder().workspace(workspace).build();
  }

  @Test
  void theProjectBuildsAndItsTestsPass(Session sandbox) throws IOException {
    ExecResult build = sandbox.run("sh", "build.sh");

    assertEquals(0, build.exitCode(), build.stdout() + build.stderr());
    assertEquals("BUILD OK: 2 tests passed\n", build.stdout());
    // What the build made is on the host, in the workspace, like a local build's output.
    assertTrue(Files.isExecutable(sandbox.workspace().resolve("build/greet")));
    assertEquals("Hello, coi!\n", sandbox.run("build/greet", "coi").stdout());
  }

  @Test
  void aBrokenChangeFailsTheBuild(Session sandbox) throws IOException {
    Files.writeString(
        sandbox.workspace().resolve("src/greet.sh"), "greet() {\n  echo \"Hi, $1\"\n}\n");

    ExecResult build = sandbox.run("sh", "build.sh");

    assertEquals(1, build.exitCode());
    assertTrue(build.stdout().contains("FAILED: test/greet_default.sh"), build.stdout());
  }

  private static void copy(Path from, Path to) {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path source : files.toList()) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
