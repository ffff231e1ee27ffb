package dev.coi.core.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * TEST ONLY: lets a fault test hold coi at a named step of a session's start or end, to kill or
 * signal it there. Set {@code COI_TEST_PAUSE_AT=<step>} and {@code COI_TEST_PAUSE_DIR=<dir>}: on
 * reaching that step coi writes {@code <dir>/<step>.reached} and waits until the test makes {@code
 * <dir>/<step>.go} (or ten minutes pass). Without both variables (always, outside the fault tests)
 * {@link #reach} is one comparison with a constant and changes nothing.
 *
 * <p>The steps: {@value #BEFORE_CREATE} (live state directory made, nothing asked of the daemon),
 * {@value #AFTER_CREATE} (the container made and running, no session yet), {@value
 * #BEFORE_FIRST_EXEC} (the session started, nothing run in it), {@value #BEFORE_SAVE} (while
 * ending: the container stopped or removed, its state not yet saved).
 */
final class TestPauses {
  static final String BEFORE_CREATE = "before-create";
  static final String AFTER_CREATE = "after-create";
  static final String BEFORE_FIRST_EXEC = "before-first-exec";
  static final String BEFORE_SAVE = "before-save";

  private static final String AT = System.getenv("COI_TEST_PAUSE_AT");
  private static final String DIR = System.getenv("COI_TEST_PAUSE_DIR");

  private TestPauses() {}

  /** Waits at {@code step} when a fault test asked for it; otherwise returns at once. */
  static void reach(String step) {
    if (AT == null || DIR == null || !AT.equals(step)) {
      return;
    }
    Path dir = Path.of(DIR);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    try {
      Files.writeString(
          dir.resolve(step + ".reached"), Long.toString(ProcessHandle.current().pid()));
      while (!Files.exists(dir.resolve(step + ".go")) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
