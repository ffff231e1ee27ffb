package dev.coi.incus;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The base of integration tests of the client against the real daemon: one client per test class,
 * {@link LiveResources} for what each test makes, removed after it, and a {@link LeakCheck} after
 * that.
 */
abstract class LiveIncusTestBase {
  protected static IncusClient incus;

  @RegisterExtension final LeakCheck leaks = new LeakCheck(() -> incus);

  /** What the test makes; JUnit runs the removal before the extension's leak check. */
  protected LiveResources live;

  @BeforeAll
  static void connect() {
    incus = IncusClient.local();
  }

  @BeforeEach
  void newResources() {
    live = new LiveResources(incus);
  }

  @AfterEach
  void removeWhatTheTestMade() {
    live.close();
  }

  @AfterAll
  static void disconnect() {
    incus.close();
  }
}
