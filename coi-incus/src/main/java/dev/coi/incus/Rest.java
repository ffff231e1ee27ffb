package dev.coi.incus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coi.api.BackendException;
import dev.coi.api.CoiException;
import dev.coi.incus.internal.transport.HttpRequest;
import dev.coi.incus.internal.transport.HttpResponse;
import dev.coi.incus.internal.transport.HttpTransport;
import dev.coi.incus.internal.transport.RequestBody;
import dev.coi.incus.internal.transport.SocketLocator;
import dev.coi.incus.internal.transport.UnixSocketTransport;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * The REST API's plumbing under {@link IncusClient}: requests over a transport, the sync, async and
 * error envelopes, and operation waits, with every failure mapped by {@link IncusErrors}.
 */
final class Rest implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpTransport transport;

  Rest(HttpTransport transport) {
    this.transport = transport;
  }

  static Rest local(Map<String, String> env) {
    return new Rest(new UnixSocketTransport(SocketLocator.locate(env)));
  }

  HttpTransport transport() {
    return transport;
  }

  /** Connections the transport keeps open for reuse; leak checks discount them. */
  int idleConnections() {
    return transport instanceof UnixSocketTransport unix ? unix.idleConnections() : 0;
  }

  String endpoint() {
    return transport.endpoint();
  }

  /** {@code GET /1.0}: the server's environment, API extensions and whether we are trusted. */
  JsonNode serverInfo() {
    return get("/1.0");
  }

  /** A sync GET; the envelope's metadata. */
  JsonNode get(String path) {
    return metadata(send(HttpRequest.of("GET", path)), "GET " + path);
  }

  /** The raw bytes at a path (files, logs); errors mapped as for JSON requests. */
  byte[] getRaw(String path) {
    HttpResponse response = send(HttpRequest.of("GET", path));
    if (response.status() / 100 != 2) {
      metadata(response, "GET " + path);
    }
    return response.body();
  }

  /** Sends a request whose answer is an operation, waits for it, and returns its metadata. */
  JsonNode runOperation(String method, String path, JsonNode body, Duration timeout) {
    return runOperation(method, path, body, timeout, false);
  }

  /**
   * As {@link #runOperation(String, String, JsonNode, Duration)}; with {@code failureIsResult} a
   * failed operation is returned rather than thrown (an exec whose command could not run still has
   * an exit code).
   */
  JsonNode runOperation(
      String method, String path, JsonNode body, Duration timeout, boolean failureIsResult) {
    HttpRequest http =
        body == null ? HttpRequest.of(method, path) : HttpRequest.json(method, path, write(body));
    return runOperation(http, timeout, failureIsResult);
  }

  /** As above, for a request that needs its own headers. */
  JsonNode runOperation(HttpRequest http, Duration timeout, boolean failureIsResult) {
    String request = http.describe();
    JsonNode envelope = envelope(send(http), request);
    String operation = envelope.path("operation").asText("");
    if (operation.isEmpty()) {
      // Some endpoints answer synchronously; nothing to wait for.
      return envelope.path("metadata");
    }
    return waitFor(operation, timeout, request, failureIsResult);
  }

  /**
   * Sends a request whose answer is an operation and returns once the daemon has accepted it; the
   * operation goes on in the daemon without us.
   */
  void submit(String method, String path, JsonNode body) {
    envelope(send(HttpRequest.json(method, path, write(body))), method + " " + path);
  }

  /** A sync request with a JSON body; the envelope's metadata. */
  JsonNode sync(String method, String path, JsonNode body) {
    HttpRequest http =
        body == null ? HttpRequest.of(method, path) : HttpRequest.json(method, path, write(body));
    return metadata(send(http), method + " " + path);
  }

  /**
   * Waits for an operation and returns its metadata. The wait endpoint answers 200 even when the
   * operation failed or the wait timed out, so the body decides. A failed operation makes the wait
   * answer with an error envelope instead of the operation (Incus does this for an exec whose
   * command exits 126 or 127); with {@code failureIsResult} the operation is then read itself.
   */
  JsonNode waitFor(
      String operationPath, Duration timeout, String request, boolean failureIsResult) {
    long seconds = Math.max(1, timeout.toSeconds());
    HttpRequest http =
        HttpRequest.of("GET", operationPath + "/wait?timeout=" + seconds)
            .withTimeout(timeout.plusSeconds(10));
    JsonNode op;
    try {
      op = metadata(send(http), request);
    } catch (CoiException waitFailed) {
      if (!failureIsResult) {
        throw waitFailed;
      }
      op = get(operationPath);
      if (!"Failure".equals(op.path("status").asText())) {
        throw waitFailed;
      }
    }
    String status = op.path("status").asText();
    int code = op.path("status_code").asInt();
    if (code == 200 || "Success".equals(status)) {
      return op;
    }
    if ("Running".equals(status) || "Pending".equals(status)) {
      throw new BackendException(
          504, "Incus: " + request + " still running after " + timeout.toSeconds() + " s");
    }
    if (failureIsResult && "Failure".equals(status)) {
      return op;
    }
    String err = op.path("err").asText("");
    throw IncusErrors.fromDaemon(code == 0 ? 500 : code, err.isEmpty() ? status : err, request);
  }

  HttpResponse send(HttpRequest request) {
    try {
      return transport.send(request);
    } catch (IOException e) {
      throw IncusErrors.fromTransport(e, transport, request.describe());
    }
  }

  /**
   * As {@link #send(HttpRequest)}, with the body streamed from {@code body}. A body that cannot
   * read its own source throws {@link java.io.UncheckedIOException}, which passes through unmapped:
   * it is not the daemon's failure.
   */
  HttpResponse send(HttpRequest request, RequestBody body) {
    try {
      return transport.send(request, body);
    } catch (IOException e) {
      throw IncusErrors.fromTransport(e, transport, request.describe());
    }
  }

  static JsonNode metadata(HttpResponse response, String request) {
    return envelope(response, request).path("metadata");
  }

  private static JsonNode envelope(HttpResponse response, String request) {
    JsonNode envelope;
    try {
      envelope = JSON.readTree(response.body());
    } catch (IOException e) {
      throw new BackendException(
          response.status(), "Incus sent a reply that is not JSON to " + request, e);
    }
    if (envelope == null
        || "error".equals(envelope.path("type").asText())
        || response.status() / 100 != 2) {
      int code = envelope == null ? response.status() : envelope.path("error_code").asInt(0);
      String message = envelope == null ? "" : envelope.path("error").asText("");
      throw IncusErrors.fromDaemon(
          code == 0 ? response.status() : code,
          message.isEmpty() ? "HTTP " + response.status() : message,
          request);
    }
    return envelope;
  }

  static String write(JsonNode body) {
    try {
      return JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new CoiException("cannot encode a request to Incus", e);
    }
  }

  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  static String encode(String pathSegment) {
    return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Override
  public void close() {
    transport.close();
  }
}
