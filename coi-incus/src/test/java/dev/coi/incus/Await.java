package dev.coi.incus;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition with a deadline, in tests: the deadline is generous (a slow, loaded machine
 * meets it) and never asserted as a speed; only a condition that never comes fails.
 */
public final class Await {
  /** What tests wait for something that should come at once on an idle machine. */
  public static final Duration PATIENCE = Duration.ofSeconds(30);

  private Await() {}

  /** Returns once {@code condition} holds; fails naming {@code what} after {@link #PATIENCE}. */
  public static void until(String what, BooleanSupplier condition) throws InterruptedException {
    until(() -> what, condition, PATIENCE);
  }

  /** As above, the failure's text made when it fails (to show the state then). */
  public static void until(Supplier<String> what, BooleanSupplier condition, Duration limit)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("still waiting after " + limit.toSeconds() + " s: " + what.get());
      }
      Thread.sleep(10);
    }
  }
}
