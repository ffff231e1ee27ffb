package dev.coi.incus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coi.api.BackendException;
import dev.coi.api.CoiException;
import dev.coi.api.NotFoundException;
import dev.coi.incus.transport.HttpRequest;
import dev.coi.incus.transport.HttpResponse;
import dev.coi.incus.transport.HttpTransport;
import dev.coi.incus.transport.RequestBody;
import dev.coi.incus.transport.SocketLocator;
import dev.coi.incus.transport.StreamedResponse;
import dev.coi.incus.transport.UnixSocketTransport;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The REST API's plumbing under {@link IncusClient}: requests over a transport, the sync, async and
 * error envelopes, and operation waits, with every failure mapped by {@link IncusErrors}.
 */
final class Rest implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CANCEL_TIMEOUT = Duration.ofSeconds(5);

  /** Each request with its status and time, at DEBUG: what {@code coi --debug} shows. */
  private static final System.Logger CALLS = System.getLogger("dev.coi.incus.rest");

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

  /**
   * Every entry of a collection, read whole in one request ({@code ?recursion=1}), each made a
   * value by {@code of}.
   */
  <T> List<T> list(String collection, Function<JsonNode, T> of) {
    List<T> result = new ArrayList<>();
    for (JsonNode entry : get(collection + "?recursion=1")) {
      result.add(of.apply(entry));
    }
    return result;
  }

  /** What {@code read} returns, or empty when the daemon has no such thing (its 404). */
  static <T> Optional<T> ifFound(Supplier<T> read) {
    try {
      return Optional.of(read.get());
    } catch (NotFoundException e) {
      return Optional.empty();
    }
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
   * operation failed or the wait timed out, so the operation's state decides: a wait that failed
   * while the operation still runs only timed out. Waits go in slices of a second (the endpoint
   * answers at once when the operation ends), so that an interrupted caller is noticed: the
   * operation is then cancelled where Incus allows it. A failed operation makes the wait answer
   * with an error envelope instead of the operation (Incus does this for an exec whose command
   * exits 126 or 127); with {@code failureIsResult} the operation is then read itself.
   */
  JsonNode waitFor(
      String operationPath, Duration timeout, String request, boolean failureIsResult) {
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpRequest slice =
        HttpRequest.of("GET", operationPath + "/wait?timeout=1")
            .withTimeout(Duration.ofSeconds(31));
    while (true) {
      if (Thread.interrupted()) {
        cancelQuietly(operationPath);
        Thread.currentThread().interrupt();
        throw new CoiException(
            "interrupted while waiting for "
                + request
                + " (the operation was cancelled where Incus allows it)");
      }
      JsonNode op;
      CoiException waitFailure = null;
      try {
        op = metadata(send(slice), request);
      } catch (CoiException waitFailed) {
        waitFailure = waitFailed;
        op = get(operationPath);
      }
      String status = op.path("status").asText();
      if ("Running".equals(status) || "Pending".equals(status)) {
        if (System.nanoTime() - deadline > 0) {
          throw new BackendException(
              504, "Incus: " + request + " still running after " + timeout.toSeconds() + " s");
        }
        continue;
      }
      int code = op.path("status_code").asInt();
      if (code == 200 || "Success".equals(status)) {
        return op;
      }
      if (failureIsResult && "Failure".equals(status)) {
        return op;
      }
      if (waitFailure != null) {
        throw waitFailure;
      }
      String err = op.path("err").asText("");
      throw IncusErrors.fromDaemon(code == 0 ? 500 : code, err.isEmpty() ? status : err, request);
    }
  }

  private void cancelQuietly(String operationPath) {
    try {
      // Briefly: the caller was interrupted and should not wait on a daemon that does not answer.
      metadata(
          send(HttpRequest.of("DELETE", operationPath).withTimeout(CANCEL_TIMEOUT)),
          "DELETE " + operationPath);
    } catch (CoiException notCancellable) {
      // Many operations cannot be cancelled (execs, for one); the caller is told either way.
    }
  }

  HttpResponse send(HttpRequest request) {
    long start = System.nanoTime();
    try {
      HttpResponse response = transport.send(request);
      logCall(request, Integer.toString(response.status()), start);
      return response;
    } catch (IOException e) {
      logCall(request, e.toString(), start);
      throw IncusErrors.fromTransport(e, transport, request.describe());
    }
  }

  private static void logCall(HttpRequest request, String outcome, long start) {
    logCall(request.describe(), outcome, start);
  }

  /** A call that is not a plain request (a websocket's upgrade), as {@code coi --debug} shows. */
  static void logCall(String what, String outcome, long start) {
    if (CALLS.isLoggable(System.Logger.Level.DEBUG)) {
      CALLS.log(
          System.Logger.Level.DEBUG,
          String.format(
              java.util.Locale.ROOT,
              "incus: %s -> %s in %.1f ms",
              what,
              outcome,
              (System.nanoTime() - start) / 1e6));
    }
  }

  /** As {@link #send(HttpRequest)}, the response's body left to read as a stream; close it. */
  StreamedResponse open(HttpRequest request) {
    long start = System.nanoTime();
    try {
      StreamedResponse response = transport.open(request);
      logCall(request, response.status() + " (streamed)", start);
      return response;
    } catch (IOException e) {
      logCall(request, e.toString(), start);
      throw IncusErrors.fromTransport(e, transport, request.describe());
    }
  }

  /** Reads the rest of a streamed body, failures mapped as for any request. */
  HttpResponse buffer(StreamedResponse response, long maxBytes, HttpRequest request) {
    try (response) {
      return response.buffer(maxBytes);
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
