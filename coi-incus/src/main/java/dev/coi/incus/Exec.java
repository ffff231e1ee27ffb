package dev.coi.incus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coi.api.BackendException;
import dev.coi.api.CoiException;
import dev.coi.api.NotFoundException;
import dev.coi.incus.transport.HttpRequest;
import java.util.function.Supplier;

/**
 * Commands in instances. {@link #run} captures the output through the daemon's recorded logs (one
 * round trip, about 50 ms), fit for commands with modest output; {@link #start} streams stdin,
 * stdout and stderr live over websockets, for long or large output, input, and terminals.
 *
 * <pre>{@code
 * ExecOutput out = client.exec().run("demo", ExecRequest.of("uname", "-a"));
 *
 * try (ExecProcess build = client.exec().start("demo", ExecRequest.of("make", "-j4"))) {
 *   build.stdout().transferTo(System.out);
 *   int exitCode = build.waitFor();
 * }
 * }</pre>
 */
public final class Exec {
  /**
   * How often an exec whose command never started is tried in all: on a loaded machine a
   * container's init can take seconds to settle, and each try is safe.
   */
  static final int ATTEMPTS = 12;

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
      pause(pauseBefore(attempt));
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

  /**
   * Starts the command with its standard streams connected, and returns once it runs. Close the
   * process when done: that also kills the command if it still runs.
   *
   * <pre>{@code
   * ExecRequest shell = ExecRequest.builder().addCommand("bash").interactive(true)
   *     .putEnvironment("TERM", "xterm-256color").width(120).height(40).build();
   * try (ExecProcess p = client.exec().start("demo", shell)) {
   *   p.stdin().write("tty; exit 3\n".getBytes(StandardCharsets.UTF_8));
   *   p.stdout().transferTo(System.out);
   *   int exitCode = p.waitFor(); // 3
   * }
   * }</pre>
   */
  public ExecProcess start(String instance, ExecRequest request) {
    String path = Instances.path(instance) + "/exec";
    String body = Rest.write(streamBody(request));
    Supplier<JsonNode> post =
        () -> Rest.metadata(rest.send(HttpRequest.json("POST", path, body)), "POST " + path);
    return ExecProcess.connect(
        rest,
        post.get(),
        request.command().get(0) + " in " + instance,
        request.interactive(),
        post);
  }

  static ObjectNode streamBody(ExecRequest request) {
    ObjectNode body = baseBody(request);
    body.put("record-output", false).put("wait-for-websocket", true);
    body.put("interactive", request.interactive());
    if (request.interactive()) {
      body.put("width", request.width()).put("height", request.height());
    }
    return body;
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
   * a fresh container): the command never ran, so running it again is safe. A captured exec then
   * has no exit code, a streaming one -1.
   */
  static boolean isUnstarted(JsonNode op) {
    JsonNode exitCode = op.path("metadata").path("return");
    return (exitCode.isMissingNode() || exitCode.asInt() < 0)
        && op.path("err").asText().contains("Failed to retrieve PID of executing child process");
  }

  /**
   * The pause before attempt {@code failed + 1}: 50, 100, 200, 400, 800 ms, then a second each,
   * about 7.5 s in all.
   */
  static long pauseBefore(int failed) {
    return Math.min(1000L, 50L << Math.min(failed - 1, 5));
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
    try {
      return rest.getRaw(logPath);
    } finally {
      // Deleted even when it could not be read (over the transport's size limit, say).
      try {
        rest.sync("DELETE", logPath, null);
      } catch (NotFoundException ignored) {
        // Already removed; nothing else to clean.
      }
    }
  }
}
