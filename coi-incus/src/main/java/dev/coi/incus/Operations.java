package dev.coi.incus;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The daemon's operations: read, wait for, cancel. */
public final class Operations {
  private final Rest rest;

  Operations(Rest rest) {
    this.rest = rest;
  }

  public Operation get(String id) {
    return Operation.of(rest.get(path(id)));
  }

  /** The operations the daemon knows now, running or recently finished. */
  public List<Operation> list() {
    List<Operation> result = new ArrayList<>();
    JsonNode byStatus = rest.get("/1.0/operations?recursion=1");
    byStatus
        .fields()
        .forEachRemaining(e -> e.getValue().forEach(op -> result.add(Operation.of(op))));
    return result;
  }

  /**
   * Waits up to {@code timeout} for the operation to end and returns it as it ended, failed or not;
   * still running after the timeout is a {@link dev.coi.api.BackendException} (504).
   */
  public Operation await(String id, Duration timeout) {
    return Operation.of(rest.waitFor(path(id), timeout, "wait for operation " + id, true));
  }

  /** Asks the daemon to cancel the operation (not every operation can be). */
  public void cancel(String id) {
    rest.sync("DELETE", path(id), null);
  }

  static String path(String id) {
    return id.startsWith("/1.0/operations/") ? id : "/1.0/operations/" + Rest.encode(id);
  }
}
