package dev.coi.incus;

import com.fasterxml.jackson.databind.JsonNode;
import dev.coi.api.BackendException;
import dev.coi.incus.transport.HttpRequest;
import java.time.Duration;

/**
 * Waits for an operation while relaying its progress metadata ({@code {"progress": {"stage",
 * "percent", "processed"}}}) to a {@link ProgressListener}. It polls: a one-second {@code /wait}
 * paces the loop and returns as soon as the operation ends, then the operation is read for its
 * progress. One second is the finest the wait endpoint's timeout allows; events would need a
 * websocket for a progress report.
 */
final class OperationProgress {
  static final int POLL_SECONDS = 1;

  private OperationProgress() {}

  /** The ended operation, as {@link Rest#waitFor} gives it (a failure is thrown, mapped). */
  static JsonNode await(
      Rest rest,
      String operationPath,
      Duration timeout,
      String request,
      ProgressListener listener) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String lastReported = "";
    while (true) {
      // Its answer does not matter: when the second runs out it is an error envelope
      // ("context deadline exceeded") even though the operation is fine.
      rest.send(
          HttpRequest.of("GET", operationPath + "/wait?timeout=" + POLL_SECONDS)
              .withTimeout(Duration.ofSeconds(POLL_SECONDS + 10L)));
      JsonNode op = rest.get(operationPath);
      String status = op.path("status").asText();
      if (!"Running".equals(status) && !"Pending".equals(status)) {
        return rest.waitFor(operationPath, Duration.ofSeconds(POLL_SECONDS), request, false);
      }
      JsonNode progress = op.path("metadata").path("progress");
      if (progress.isObject() && !progress.toString().equals(lastReported)) {
        lastReported = progress.toString();
        relay(progress, listener);
      }
      if (System.nanoTime() - deadline > 0) {
        throw new BackendException(
            504, "Incus: " + request + " still running after " + timeout.toSeconds() + " s");
      }
    }
  }

  static void relay(JsonNode progress, ProgressListener listener) {
    String stage = progress.path("stage").asText("operation");
    long percent = progress.path("percent").asLong(-1);
    long processed = progress.path("processed").asLong(-1);
    if (percent >= 0) {
      listener.progress(percent, 100, stage);
    } else if (processed >= 0) {
      listener.progress(processed, -1, stage);
    }
  }
}
