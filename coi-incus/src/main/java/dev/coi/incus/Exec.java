package dev.coi.incus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coi.api.BackendException;
import dev.coi.api.CoiException;
import dev.coi.api.CommandLostException;
import dev.coi.incus.transport.HttpRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Commands in instances. {@link #run} returns the output whole, fit for commands with modest
 * output; {@link #start} streams stdin, stdout and stderr live over websockets, for long or large
 * output, input, and terminals. Both run the command through {@link RunOnce}, so that it runs only
 * once the daemon has it running, and never twice.
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

  /**
   * Runs the command to its end, with no input; its output comes back whole. It goes the way {@link
   * #start} does (the daemon's recorded-output mode cannot hold a command back until the daemon has
   * it running: see {@link RunOnce}), stderr read on a thread of its own so that neither stream's
   * pipe fills up.
   */
  public ExecOutput run(String instance, ExecRequest request) {
    try (ExecProcess process = start(instance, request)) {
      process.stdin().close();
      CompletableFuture<byte[]> stderr = new CompletableFuture<>();
      Thread reader =
          new Thread(
              () -> {
                try {
                  stderr.complete(process.stderr().readAllBytes());
                } catch (IOException | RuntimeException e) {
                  stderr.completeExceptionally(e);
                }
              },
              "coi-exec-stderr");
      reader.setDaemon(true);
      reader.start();
      byte[] stdout = process.stdout().readAllBytes();
      int exitCode = process.waitFor();
      return ExecOutput.of(exitCode, stdout, stderr.join());
    } catch (IOException e) {
      throw new BackendException(
          500, "lost the output of " + request.command().get(0) + " in " + instance, e);
    } catch (CompletionException e) {
      throw new BackendException(
          500,
          "lost the error output of "
              + request.command().get(0)
              + " in "
              + instance
              + ": "
              + e.getCause().getMessage(),
          e.getCause());
    }
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
    return ExecProcess.connect(rest, first, what, request.interactive(), restart);
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

  /** The request's settings with {@code command} as the argument vector. */
  static ObjectNode baseBody(ExecRequest request, List<String> command) {
    ObjectNode body = Rest.object();
    command.forEach(body.putArray("command")::add);
    body.put("user", request.user()).put("group", request.group()).put("cwd", request.cwd());
    body.set("environment", Json.stringObject(request.environment()));
    return body;
  }

  /**
   * Incus's exec helper can fail to report the attached process (seen while systemd boots in a
   * fresh container, and under load): the exec then has no exit code, or -1. {@link RunOnce} makes
   * running it again safe: the command may have started, but never got past its gate.
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
}
