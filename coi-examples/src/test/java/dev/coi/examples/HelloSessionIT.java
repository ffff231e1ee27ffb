package dev.coi.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.tck.LiveBackendTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the example as a user would, in its own JVM, against the real daemon. */
class HelloSessionIT extends LiveBackendTestBase {
  @TempDir Path logs;

  @Test
  void printsTheCommandsOutputAndExitsWithItsCode() throws Exception {
    Path out = logs.resolve("out");
    Process p =
        ExampleProcess.start(
            HelloSession.class,
            Map.of("CLAUDE_ON_INCUS_IMAGE", "coi-test-min"),
            out,
            workspace.toString(),
            "sh",
            "-c",
            "echo hello from $(pwd); exit 7");
    assertTrue(p.waitFor(2, TimeUnit.MINUTES));

    assertEquals("hello from /workspace\n", Files.readString(out));
    assertEquals(7, p.exitValue());
  }
}
