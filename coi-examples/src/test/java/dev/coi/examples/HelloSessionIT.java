package dev.coi.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.coi.tck.LiveBackendTestBase;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs the example as a user would, in its own JVM, against the real daemon. */
class HelloSessionIT extends LiveBackendTestBase {

  @Test
  void printsTheCommandsOutputAndExitsWithItsCode() throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                HelloSession.class.getName(),
                workspace.toString(),
                "sh",
                "-c",
                "echo hello from $(pwd); exit 7")
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectErrorStream(true);
    pb.environment().put("CLAUDE_ON_INCUS_IMAGE", "coi-test-min");
    pb.environment().put("CLAUDE_ON_INCUS_CONTAINER_PREFIX", TEST_PREFIX);
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(2, TimeUnit.MINUTES);

    assertEquals("hello from /workspace\n", output);
    assertEquals(7, p.exitValue());
  }
}
