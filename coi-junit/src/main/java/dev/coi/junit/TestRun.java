package dev.coi.junit;

import dev.coi.api.BackendUnavailableException;
import dev.coi.api.Sessions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * This JVM's test run, as the sandboxes' labels name it; made once per run (in the root store), at
 * which point it finds out whether the backend answers and sweeps what earlier runs left.
 */
final class TestRun {
  static final String RUN_LABEL = "coi-junit.run";
  static final String PID_LABEL = "coi-junit.pid";
  static final String TEST_LABEL = "coi-junit.test";

  private static final System.Logger LOG = System.getLogger(TestRun.class.getName());

  private final String id;
  private final Optional<String> unavailable;
  private final List<String> swept;

  private TestRun(String id, Optional<String> unavailable, List<String> swept) {
    this.id = id;
    this.unavailable = unavailable;
    this.swept = swept;
  }

  /**
   * A new run: removes the sandboxes of earlier runs whose process is gone (the engine's sweep,
   * limited to sandboxes of this extension), which also tells whether the backend can be reached.
   */
  static TestRun begin() {
    String id = Instant.now().toString().replace(':', '-') + "-" + UUID.randomUUID();
    try {
      List<String> swept =
          Sessions.sweep(
              s -> s.labels().containsKey(RUN_LABEL) && !id.equals(s.labels().get(RUN_LABEL)));
      if (!swept.isEmpty()) {
        LOG.log(System.Logger.Level.INFO, "removed sandboxes of earlier test runs: " + swept);
      }
      return new TestRun(id, Optional.empty(), swept);
    } catch (BackendUnavailableException e) {
      return new TestRun(id, Optional.of(e.getMessage()), List.of());
    }
  }

  String id() {
    return id;
  }

  /** Why no sandbox can be started; empty when the backend answered. */
  Optional<String> unavailable() {
    return unavailable;
  }

  /** The containers the sweep at the start of this run removed or stopped. */
  List<String> swept() {
    return swept;
  }

  /** The labels of a sandbox of this run made for a test. */
  Map<String, String> labels(String test) {
    return Map.of(
        RUN_LABEL,
        id,
        PID_LABEL,
        Long.toString(ProcessHandle.current().pid()),
        TEST_LABEL,
        test.length() > 200 ? test.substring(test.length() - 200) : test);
  }
}
