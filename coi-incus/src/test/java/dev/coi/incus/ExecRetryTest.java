package dev.coi.incus;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Which failed execs are run again: only those whose command never started. */
class ExecRetryTest {

  @Test
  void anExecWhoseHelperDiedBeforeStartingTheCommandIsRetried() throws IOException {
    assertTrue(
        Exec.isUnstarted(
            Rest.JSON.readTree(
                "{\"status\":\"Failure\",\"metadata\":null,"
                    + "\"err\":\"Failed to retrieve PID of executing child process\"}")));
  }

  @Test
  void anExecThatRanIsNeverRetriedWhateverItsExitCode() throws IOException {
    assertFalse(
        Exec.isUnstarted(
            Rest.JSON.readTree(
                "{\"status\":\"Failure\",\"metadata\":{\"return\":127},"
                    + "\"err\":\"Command not found\"}")));
    assertFalse(
        Exec.isUnstarted(
            Rest.JSON.readTree(
                "{\"status\":\"Failure\",\"metadata\":null,\"err\":\"Instance is not running\"}")));
  }
}
