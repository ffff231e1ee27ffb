package dev.coi.incus;

import dev.coi.incus.transport.HttpRequest;
import dev.coi.incus.transport.HttpResponse;
import dev.coi.incus.transport.WebSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;

/**
 * The daemon's side of one streaming exec, as the notes measured it: the POST answers an operation
 * with a secret per fd, each secret opens a {@link FakeWebSocket}, and {@code /wait} answers once
 * the test (or the fake itself, when the control socket goes away) ends the operation.
 */
final class FakeExecDaemon extends ScriptedDaemon {
  final FakeWebSocket control = new FakeWebSocket();
  final FakeWebSocket fd0 = new FakeWebSocket();
  final FakeWebSocket fd1 = new FakeWebSocket();
  final FakeWebSocket fd2 = new FakeWebSocket();
  final List<String> requests = new CopyOnWriteArrayList<>();
  final List<String> websockets = new CopyOnWriteArrayList<>();
  private final CompletableFuture<String> operationEnd = new CompletableFuture<>();
  volatile boolean refuseStderr;

  FakeExecDaemon() {
    super("fake exec daemon");
    // The daemon kills a command whose control socket goes away.
    control.onClose =
        () -> {
          endOperation(137);
          endOutput();
        };
  }

  /**
   * Ends the command: the control socket closes and the operation reports the exit code; the output
   * sockets get their end marker (fd 0 too, as a terminal's output does).
   */
  void exit(int code) {
    endOperation(code);
    fd0.end();
    endOutput();
    control.end();
  }

  /** As the daemon closes every socket of an exec that ended. */
  private void endOutput() {
    fd1.end();
    fd2.end();
  }

  void endOperation(int code) {
    operationEnd.complete(
        "{\"id\":\"op1\",\"status\":\"Success\",\"status_code\":200,\"err\":\"\","
            + "\"metadata\":{\"return\":"
            + code
            + "}}");
  }

  void failOperation(String err) {
    operationEnd.complete(
        "{\"id\":\"op1\",\"status\":\"Failure\",\"status_code\":400,\"err\":\""
            + err
            + "\",\"metadata\":{\"return\":-1}}");
    fd0.end();
    endOutput();
    control.end();
  }

  @Override
  public HttpResponse send(HttpRequest request) throws IOException {
    requests.add(request.describe());
    if (request.method().equals("POST") && request.path().endsWith("/exec")) {
      boolean interactive =
          new String(request.body(), StandardCharsets.UTF_8).contains("\"interactive\":true");
      String fds =
          interactive
              ? "{\"0\":\"s0\",\"control\":\"sc\"}"
              : "{\"0\":\"s0\",\"1\":\"s1\",\"2\":\"s2\",\"control\":\"sc\"}";
      return json(
          202,
          "{\"type\":\"async\",\"operation\":\"/1.0/operations/op1\",\"metadata\":"
              + "{\"id\":\"op1\",\"class\":\"websocket\",\"status\":\"Running\","
              + "\"metadata\":{\"fds\":"
              + fds
              + "}}}");
    }
    if (request.path().startsWith("/1.0/operations/op1/wait")) {
      try {
        String op = operationEnd.get();
        if (op.contains("Failure")) {
          return json(200, "{\"type\":\"error\",\"error_code\":400,\"error\":\"failed\"}");
        }
        return json(200, "{\"type\":\"sync\",\"status_code\":200,\"metadata\":" + op + "}");
      } catch (InterruptedException e) {
        // As the unix transport does: the wait ends, the interrupt is kept.
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted while waiting for the daemon");
      } catch (ExecutionException e) {
        throw new IOException(e);
      }
    }
    if (request.path().equals("/1.0/operations/op1")) {
      String op = operationEnd.getNow("{\"id\":\"op1\",\"status\":\"Running\"}");
      return json(200, "{\"type\":\"sync\",\"status_code\":200,\"metadata\":" + op + "}");
    }
    return json(404, "{\"type\":\"error\",\"error_code\":404,\"error\":\"not found\"}");
  }

  @Override
  public WebSocket openWebSocket(String path) throws IOException {
    websockets.add(path);
    String secret = path.substring(path.indexOf("secret=") + 7);
    if (refuseStderr && secret.equals("s2")) {
      throw new IOException("connection refused");
    }
    Map<String, FakeWebSocket> bySecret = Map.of("sc", control, "s0", fd0, "s1", fd1, "s2", fd2);
    return bySecret.get(secret);
  }
}
