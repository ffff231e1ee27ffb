package dev.coi.incus;

import com.fasterxml.jackson.databind.JsonNode;
import dev.coi.api.BackendException;
import dev.coi.incus.transport.WebSocket;
import dev.coi.incus.transport.WebSocketRefusedException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One try at running an {@link ExecProcess}'s command: its exec operation, that operation's
 * websockets by fd ({@code control}, {@code 0}, and {@code 1}, {@code 2} without a terminal), the
 * first message of its output (null at an end without one), which the control thread takes so as to
 * learn at once whether the command runs, and the attempt that replaced it, once the daemon has
 * said how it ended (empty when none did).
 */
record ExecAttempt(
    int number,
    String operationId,
    Map<String, WebSocket> sockets,
    boolean gateSent,
    CompletableFuture<WebSocket.Message> firstOutput,
    CompletableFuture<Optional<ExecAttempt>> next) {

  /**
   * Connects the websockets of an exec operation the daemon has just created with {@code
   * wait-for-websocket}: control first, then the standard streams. The command starts once they are
   * all connected, and the daemon gives up on them after a few seconds, so this is done at once.
   */
  static ExecAttempt connect(
      Rest rest, int number, JsonNode operation, String what, boolean interactive) {
    String id = operation.path("id").asText();
    JsonNode fds = operation.path("metadata").path("fds");
    List<String> names = interactive ? List.of("control", "0") : List.of("control", "0", "1", "2");
    Map<String, WebSocket> sockets = new LinkedHashMap<>();
    try {
      for (String fd : names) {
        String secret = fds.path(fd).asText("");
        if (secret.isEmpty()) {
          throw new BackendException(
              500,
              "Incus gave no websocket for fd " + fd + " of " + what + " (operation " + id + ")");
        }
        sockets.put(fd, open(rest, id, fd, secret));
      }
    } catch (RuntimeException e) {
      // The command has not started: it waits for every socket, and the daemon drops it soon.
      sockets.values().forEach(WebSocket::close);
      throw e;
    }
    boolean gateSent = sendGate(sockets.get("0"));
    return new ExecAttempt(
        number,
        id,
        Map.copyOf(sockets),
        gateSent,
        new CompletableFuture<>(),
        new CompletableFuture<>());
  }

  /**
   * Sends {@link RunOnce#GATE}, which the daemon copies into the command only once it has it
   * running. False when it could not be sent (the daemon dropped an exec it failed to start): the
   * command then never passes its gate, and the attempt counts as not started whatever it reports.
   */
  private static boolean sendGate(WebSocket stdin) {
    try {
      stdin.sendBinary(RunOnce.GATE, 0, RunOnce.GATE.length);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static WebSocket open(Rest rest, String operationId, String fd, String secret) {
    String path = Operations.path(operationId) + "/websocket?secret=" + Rest.encode(secret);
    String request = "websocket for fd " + fd + " of operation " + operationId;
    long start = System.nanoTime();
    try {
      WebSocket socket = rest.transport().openWebSocket(path);
      Rest.logCall("websocket " + fd + " of " + operationId, "open", start);
      return socket;
    } catch (WebSocketRefusedException e) {
      Rest.metadata(e.response(), request); // throws the daemon's error, mapped
      throw new BackendException(e.response().status(), "Incus refused the " + request, e);
    } catch (IOException e) {
      throw IncusErrors.fromTransport(e, rest.transport(), request);
    }
  }

  WebSocket control() {
    return sockets.get("control");
  }

  WebSocket input() {
    return sockets.get("0");
  }

  /** The socket the command's output comes on: fd 1, or fd 0 on a terminal. */
  WebSocket output() {
    return sockets.getOrDefault("1", input());
  }

  /**
   * Takes the first message of the output from its socket, for the stream to read later; true when
   * there was one (the command runs: the script wrote {@link RunOnce#STARTED}, or on a terminal the
   * echo of the gate came).
   */
  boolean takeFirstOutput() {
    try {
      WebSocket.Message first = output().receive();
      firstOutput.complete(first);
      return first != null;
    } catch (IOException e) {
      firstOutput.completeExceptionally(e);
      return false;
    }
  }

  /** The fd a socket of this attempt carries; empty when it is none of them. */
  String fdOf(WebSocket socket) {
    return sockets.entrySet().stream()
        .filter(e -> e.getValue() == socket)
        .map(Map.Entry::getKey)
        .findFirst()
        .orElse("");
  }
}
