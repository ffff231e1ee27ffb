package dev.coi.incus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coi.api.BackendException;
import dev.coi.api.CoiException;
import dev.coi.api.CommandLostException;
import dev.coi.api.NotFoundException;
import dev.coi.incus.transport.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

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

  /** How many ended execs' tokens one exec removes at most. */
  private static final int SPENT_PER_EXEC = 32;

  private final Rest rest;
  private final InstanceFiles files;

  /** Tokens of ended execs, by instance and user, that the next exec there removes. */
  private final Map<String, Queue<String>> spentTokens = new ConcurrentHashMap<>();

  Exec(Rest rest, InstanceFiles files) {
    this.rest = rest;
    this.files = files;
  }

  /** Runs the command to its end; its output comes back whole. */
  public ExecOutput run(String instance, ExecRequest request) {
    String path = Instances.path(instance) + "/exec";
    RunOnce once = runOnce(instance, request.user());
    JsonNode op = null;
    int attempt = 1;
    try {
      for (; ; attempt++) {
        op =
            rest.runOperation(
                "POST",
                path,
                captureBody(request, once.command(request.command(), attempt)),
                Instances.TIMEOUT,
                true);
        if (!isUnstarted(op) || attempt == ATTEMPTS) {
          break;
        }
        pause(pauseBefore(attempt));
      }
    } finally {
      spent(instance, request.user(), once);
    }
    JsonNode metadata = op.path("metadata");
    String what = request.command().get(0) + " in " + instance;
    if (!metadata.has("return")) {
      throw new BackendException(
          500, "Incus could not run " + what + ": " + op.path("err").asText());
    }
    JsonNode output = metadata.path("output");
    byte[] stdout = fetchAndDeleteLog(output.path("1").asText(""));
    byte[] stderr = fetchAndDeleteLog(output.path("2").asText(""));
    if (attempt > 1 && !ranAt(instance, once, attempt)) {
      throw lost(what);
    }
    return ExecOutput.of(metadata.path("return").asInt(), stdout, stderr);
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
    String what = request.command().get(0) + " in " + instance;
    if (request.interactive()) {
      // Never started again (a terminal's output cannot be replayed), so run as it is.
      String body = Rest.write(streamBody(request, request.command()));
      return ExecProcess.connect(rest, post(path, body), what, true, null);
    }
    RunOnce once = runOnce(instance, request.user());
    ExecProcess.Restart restart =
        new ExecProcess.Restart() {
          @Override
          public JsonNode start(int attempt) {
            return post(
                path, Rest.write(streamBody(request, once.command(request.command(), attempt))));
          }

          @Override
          public boolean ranAt(int attempt) {
            return Exec.this.ranAt(instance, once, attempt);
          }

          @Override
          public CoiException lost() {
            return Exec.lost(what);
          }

          @Override
          public void ended() {
            spent(instance, request.user(), once);
          }
        };
    JsonNode first;
    try {
      first = restart.start(1);
    } catch (RuntimeException e) {
      restart.ended();
      throw e;
    }
    return ExecProcess.connect(rest, first, what, false, restart);
  }

  private JsonNode post(String path, String body) {
    return Rest.metadata(rest.send(HttpRequest.json("POST", path, body)), "POST " + path);
  }

  /** A run-once wrapper whose first attempt also removes tokens of this user's ended execs. */
  private RunOnce runOnce(String instance, int user) {
    Queue<String> queue = spentQueue(instance, user);
    List<String> spent = new ArrayList<>();
    for (String token = queue.poll(); token != null; token = queue.poll()) {
      spent.add(token);
      if (spent.size() == SPENT_PER_EXEC) {
        break;
      }
    }
    return new RunOnce(user, spent);
  }

  private void spent(String instance, int user, RunOnce once) {
    spentQueue(instance, user).add(once.token());
  }

  private Queue<String> spentQueue(String instance, int user) {
    return spentTokens.computeIfAbsent(
        instance + (user == 0 ? "\0root" : "\0user"), k -> new ConcurrentLinkedQueue<>());
  }

  /** Whether attempt {@code attempt} (2 or later) is the one that ran the command. */
  private boolean ranAt(String instance, RunOnce once, int attempt) {
    return files.head(instance, once.marker(attempt)).isPresent();
  }

  /**
   * The daemon reported the command as not started, but it had started: a later attempt found its
   * token. It ran once; its output and exit code went with the first attempt.
   */
  private static CommandLostException lost(String what) {
    return new CommandLostException(
        "Incus reported "
            + what
            + " as not started although it had started: it ran once, and its exit code is lost"
            + " (not run again, so it never runs twice)");
  }

  static ObjectNode streamBody(ExecRequest request, List<String> command) {
    ObjectNode body = baseBody(request, command);
    body.put("record-output", false).put("wait-for-websocket", true);
    body.put("interactive", request.interactive());
    if (request.interactive()) {
      body.put("width", request.width()).put("height", request.height());
    }
    return body;
  }

  static ObjectNode captureBody(ExecRequest request, List<String> command) {
    ObjectNode body = baseBody(request, command);
    body.put("record-output", true).put("wait-for-websocket", false).put("interactive", false);
    return body;
  }

  /** The request's settings with {@code command} as the argument vector. */
  static ObjectNode baseBody(ExecRequest request, List<String> command) {
    ObjectNode body = Rest.object();
    command.forEach(body.putArray("command")::add);
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
