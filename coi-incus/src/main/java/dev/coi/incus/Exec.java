package dev.coi.incus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coi.api.BackendException;
import dev.coi.api.CoiException;
import dev.coi.api.NotFoundException;

/**
 * Commands in instances. {@link #run} captures the output through the daemon's recorded logs (one
 * round trip, about 50 ms), fit for commands with modest output.
 *
 * <pre>{@code
 * ExecOutput out = client.exec().run("demo", ExecRequest.of("uname", "-a"));
 * }</pre>
 */
public final class Exec {
  private static final int ATTEMPTS = 4;

  private final Rest rest;

  Exec(Rest rest) {
    this.rest = rest;
  }

  /** Runs the command to its end; its output comes back whole. */
  public ExecOutput run(String instance, ExecRequest request) {
    String path = Instances.path(instance) + "/exec";
    JsonNode op = null;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      op = rest.runOperation("POST", path, captureBody(request), Instances.TIMEOUT, true);
      if (!isUnstarted(op) || attempt == ATTEMPTS) {
        break;
      }
      pause(attempt * 100L);
    }
    JsonNode metadata = op.path("metadata");
    if (!metadata.has("return")) {
      throw new BackendException(
          500,
          "Incus could not run "
              + request.command().get(0)
              + " in "
              + instance
              + ": "
              + op.path("err").asText());
    }
    JsonNode output = metadata.path("output");
    return ExecOutput.of(
        metadata.path("return").asInt(),
        fetchAndDeleteLog(output.path("1").asText("")),
        fetchAndDeleteLog(output.path("2").asText("")));
  }

  static ObjectNode captureBody(ExecRequest request) {
    ObjectNode body = baseBody(request);
    body.put("record-output", true).put("wait-for-websocket", false).put("interactive", false);
    return body;
  }

  static ObjectNode baseBody(ExecRequest request) {
    ObjectNode body = Rest.object();
    request.command().forEach(body.putArray("command")::add);
    body.put("user", request.user()).put("group", request.group()).put("cwd", request.cwd());
    body.set("environment", Json.stringObject(request.environment()));
    return body;
  }

  /**
   * Incus's exec helper can die before it reports the attached process (seen while systemd boots in
   * a fresh container): the command never ran, so running it again is safe.
   */
  static boolean isUnstarted(JsonNode op) {
    return !op.path("metadata").has("return")
        && op.path("err").asText().contains("Failed to retrieve PID of executing child process");
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CoiException("interrupted while retrying an exec", e);
    }
  }

  private byte[] fetchAndDeleteLog(String logPath) {
    if (logPath.isEmpty()) {
      return new byte[0];
    }
    byte[] bytes = rest.getRaw(logPath);
    try {
      rest.sync("DELETE", logPath, null);
    } catch (NotFoundException ignored) {
      // Already removed; nothing else to clean.
    }
    return bytes;
  }
}
