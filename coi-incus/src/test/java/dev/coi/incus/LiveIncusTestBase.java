package dev.coi.incus;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The base of integration tests of the client against the real daemon: one client per test class,
 * and a {@link LeakCheck} after every test.
 */
abstract class LiveIncusTestBase {
  protected static IncusClient incus;

  @RegisterExtension final LeakCheck leaks = new LeakCheck(() -> incus);

  @BeforeAll
  static void connect() {
    incus = IncusClient.local();
  }

  @AfterAll
  static void disconnect() {
    incus.close();
  }
}
