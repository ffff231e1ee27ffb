package dev.coi.incus.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coi.incus.transport.ScriptedDaemon.Request;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link HttpTransport} must do, against the real daemon: envelopes, errors, chunked
 * bodies, connection reuse, concurrency, operations and exec websockets. A transport's IT extends
 * this and says how to make the transport. Containers are made from {@code coi-test-min}, named
 * {@code coi-test-transport-…}, labelled with {@code user.coi.test} and the test's pid, and removed
 * through the local socket, so that a broken transport under test never leaves one behind.
 */
public abstract class TransportContract {
  protected static final ObjectMapper JSON = new ObjectMapper();
  private static final String IMAGE = "coi-test-min";
  private static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(60);

  protected HttpTransport transport;
  private final List<String> created = new ArrayList<>();

  /** A fresh transport to the local daemon, for one test. */
  protected abstract HttpTransport newTransport() throws Exception;

  /** A daemon that answers as {@code script} says, of the kind this transport reaches. */
  protected abstract ScriptedDaemon scriptedDaemon(ScriptedDaemon.Script script) throws Exception;

  /** A transport to a scripted daemon, with the given limits. */
  protected abstract HttpTransport transportTo(ScriptedDaemon daemon, TransportLimits limits)
      throws Exception;

  /** The connections the transport holds to the daemon now, or -1 when it cannot tell. */
  protected int connectionsHeld() {
    return -1;
  }

  @BeforeEach
  void openTransport() throws Exception {
    transport = newTransport();
  }

  @AfterEach
  void removeContainersAndClose() throws IOException {
    List<String> left = new ArrayList<>();
    try (UnixSocketTransport local =
        new UnixSocketTransport(SocketLocator.locate(System.getenv()))) {
      for (String name : created) {
        try {
          remove(local, name);
        } catch (IOException | AssertionError e) {
          left.add(name + " (" + e.getMessage() + ")");
        }
      }
    } finally {
      transport.close();
    }
    assertEquals(List.of(), left, "containers left behind");
  }

  private static void remove(HttpTransport local, String name) throws IOException {
    String path = "/1.0/instances/" + name;
    ObjectNode stop = JSON.createObjectNode().put("action", "stop").put("force", true);
    HttpResponse stopping = local.send(json("PUT", path + "/state", stop));
    if (stopping.status() == 202) {
      // Stopping a stopped instance is an operation that fails: wait for it, whatever its end.
      String operation = JSON.readTree(stopping.body()).path("operation").asText();
      local.send(
          HttpRequest.of("GET", operation + "/wait?timeout=" + OPERATION_TIMEOUT.toSeconds())
              .withTimeout(OPERATION_TIMEOUT.plusSeconds(10)));
    }
    HttpResponse deleting = local.send(HttpRequest.of("DELETE", path));
    if (deleting.status() != 404) {
      awaitOn(local, JSON.readTree(deleting.body()));
    }
  }

  @Test
  void serverInfoComesInASyncEnvelope() throws IOException {
    HttpResponse response = transport.send(HttpRequest.of("GET", "/1.0"));

    assertEquals(200, response.status());
    assertTrue(response.header("Content-Type").startsWith("application/json"));
    JsonNode envelope = JSON.readTree(response.body());
    assertEquals("sync", envelope.path("type").asText());
    assertEquals(200, envelope.path("status_code").asInt());
    assertEquals("1.0", envelope.path("metadata").path("api_version").asText());
    assertEquals("trusted", envelope.path("metadata").path("auth").asText());
  }

  @Test
  void anUnknownInstanceIsA404ErrorEnvelope() throws IOException {
    HttpResponse response =
        transport.send(HttpRequest.of("GET", "/1.0/instances/coi-test-transport-no-such"));

    assertEquals(404, response.status());
    JsonNode envelope = JSON.readTree(response.body());
    assertEquals("error", envelope.path("type").asText());
    assertEquals(404, envelope.path("error_code").asInt());
    assertTrue(envelope.path("error").asText().contains("not found"), response.bodyText());
  }

  @Test
  void aLargeChunkedBodyArrivesWhole() throws IOException {
    // 256 KiB in one config value makes the instance list far larger than the daemon's buffer,
    // so it comes chunked.
    String payload = randomText(256 * 1024);
    String name = create(false, Map.of("user.coi.test.payload", payload));

    HttpResponse response = transport.send(HttpRequest.of("GET", "/1.0/instances?recursion=1"));

    assertEquals(200, response.status());
    assertEquals("chunked", response.header("Transfer-Encoding"));
    assertTrue(response.body().length > payload.length(), "body of " + response.body().length);
    String received = null;
    for (JsonNode instance : JSON.readTree(response.body()).path("metadata")) {
      if (name.equals(instance.path("name").asText())) {
        received = instance.path("config").path("user.coi.test.payload").asText();
      }
    }
    assertEquals(payload, received);
  }

  @Test
  void manySequentialRequestsReuseTheirConnections() throws IOException {
    int before = connectionsHeld();
    for (int i = 0; i < 100; i++) {
      assertEquals(200, transport.send(HttpRequest.of("GET", "/1.0")).status(), "request " + i);
    }
    int after = connectionsHeld();
    if (before >= 0) {
      assertTrue(after - before <= 2, "connections: " + before + " before, " + after + " after");
    }
  }

  @Test
  void concurrentRequestsEachGetTheirOwnAnswer() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        results.add(
            threads.submit(
                () -> {
                  for (int i = 0; i < 25; i++) {
                    askOneOfThree(thread, i);
                  }
                  return null;
                }));
      }
      for (Future<?> result : results) {
        result.get(2, TimeUnit.MINUTES);
      }
    } finally {
      threads.shutdownNow();
    }
  }

  /** Three requests with answers of their own, so a mixed-up answer shows. */
  private void askOneOfThree(int thread, int i) throws IOException {
    switch ((thread + i) % 3) {
      case 0 -> {
        HttpResponse r = transport.send(HttpRequest.of("GET", "/1.0"));
        assertEquals(200, r.status());
        assertEquals("1.0", JSON.readTree(r.body()).path("metadata").path("api_version").asText());
      }
      case 1 -> {
        HttpResponse r = transport.send(HttpRequest.of("GET", "/1.0/images/aliases/" + IMAGE));
        assertEquals(200, r.status());
        assertEquals(IMAGE, JSON.readTree(r.body()).path("metadata").path("name").asText());
      }
      default -> {
        HttpResponse r =
            transport.send(HttpRequest.of("GET", "/1.0/instances/coi-test-transport-none-" + i));
        assertEquals(404, r.status());
      }
    }
  }

  @Test
  void anAsyncOperationIsAcceptedAndWaitedFor() throws IOException {
    String name = newName();
    HttpResponse accepted =
        transport.send(json("POST", "/1.0/instances", createBody(name, false, Map.of())));

    assertEquals(202, accepted.status());
    JsonNode envelope = JSON.readTree(accepted.body());
    assertEquals("async", envelope.path("type").asText());
    String operation = envelope.path("operation").asText();
    assertTrue(operation.startsWith("/1.0/operations/"), operation);
    assertEquals(operation, accepted.header("Location"));

    JsonNode done = awaitOn(transport, envelope);
    assertEquals("Success", done.path("status").asText());
    HttpResponse instance = transport.send(HttpRequest.of("GET", "/1.0/instances/" + name));
    assertEquals(
        "Stopped", JSON.readTree(instance.body()).path("metadata").path("status").asText());
  }

  @Test
  void execStreamsStdinToStdoutThroughWebsockets() throws Exception {
    String name = create(true, Map.of());
    ObjectNode exec = JSON.createObjectNode();
    exec.putArray("command").add("cat");
    exec.put("wait-for-websocket", true).put("interactive", false).put("record-output", false);
    exec.putObject("environment");
    HttpResponse accepted = transport.send(json("POST", "/1.0/instances/" + name + "/exec", exec));
    assertEquals(202, accepted.status(), accepted.bodyText());
    JsonNode envelope = JSON.readTree(accepted.body());
    String operation = envelope.path("operation").asText();
    JsonNode fds = envelope.path("metadata").path("metadata").path("fds");

    Map<String, WebSocket> sockets = new LinkedHashMap<>();
    ExecutorService readers = Executors.newFixedThreadPool(2);
    try {
      for (String fd : List.of("control", "0", "1", "2")) {
        String path = operation + "/websocket?secret=" + fds.path(fd).asText();
        try {
          sockets.put(fd, transport.openWebSocket(path));
        } catch (UnsupportedOperationException notYet) {
          assumeTrue(false, "no websockets on " + transport.endpoint() + " yet: " + notYet);
        }
      }
      Future<byte[]> stdout = readers.submit(() -> readToEnd(sockets.get("1")));
      Future<byte[]> stderr = readers.submit(() -> readToEnd(sockets.get("2")));

      // More than the daemon's 32 KiB frames and the reader's queue, so back-pressure takes part.
      byte[] input = new byte[600 * 1024];
      new Random(7).nextBytes(input);
      for (int offset = 0; offset < input.length; offset += 20_000) {
        sockets.get("0").sendBinary(input, offset, Math.min(20_000, input.length - offset));
      }
      sockets.get("0").sendClose();

      assertArrayEquals(input, stdout.get(1, TimeUnit.MINUTES));
      assertEquals(0, stderr.get(1, TimeUnit.MINUTES).length);
      assertNull(sockets.get("1").receive(), "the end of a stream stays the end");
      JsonNode done = awaitOn(transport, envelope);
      assertEquals("Success", done.path("status").asText());
      assertEquals(0, done.path("metadata").path("return").asInt(-1));
    } finally {
      readers.shutdownNow();
      sockets.values().forEach(WebSocket::close);
    }
  }

  // ---- Against a daemon that misbehaves (a scripted one; see ScriptedDaemon) ----

  private static final TransportLimits SMALL =
      new TransportLimits(4 * 1024, 64 * 1024, Duration.ofMillis(500));
  private static final String OK = "{\"type\":\"sync\",\"status_code\":200,\"metadata\":{}}";

  /** Runs {@code test} against a scripted daemon, and closes both (joining its threads). */
  private void against(ScriptedDaemon.Script script, TransportLimits limits, DaemonTest test)
      throws Exception {
    try (ScriptedDaemon daemon = scriptedDaemon(script);
        HttpTransport client = transportTo(daemon, limits)) {
      test.run(daemon, client);
    }
  }

  /**
   * A daemon whose first connection answers one request and then does {@code then}; every later
   * connection answers all it gets.
   */
  private static ScriptedDaemon.Script firstAnswersOneGetThen(ScriptedDaemon.Script then) {
    return c -> {
      if (c.index > 1) {
        answerAll(c);
        return;
      }
      c.readRequest();
      c.answer(200, OK);
      then.serve(c);
    };
  }

  @FunctionalInterface
  private interface DaemonTest {
    void run(ScriptedDaemon daemon, HttpTransport client) throws Exception;
  }

  /** Runs {@code test} against a daemon that reads one request and never answers it. */
  private void againstASilentDaemon(DaemonTest test) throws Exception {
    against(
        c -> {
          c.readRequest();
          c.hang();
        },
        SMALL,
        test);
  }

  /** Answers every request on the connection with an empty sync envelope. */
  private static void answerAll(ScriptedDaemon.Connection c) throws IOException {
    while (c.readRequest() != null) {
      c.answer(200, OK);
    }
  }

  @Test
  void aDaemonThatNeverAnswersHitsTheRequestsDeadline() throws Exception {
    againstASilentDaemon(
        (daemon, client) -> {
          DeadlineExceededException e =
              assertThrows(
                  DeadlineExceededException.class,
                  () ->
                      client.send(
                          HttpRequest.of("GET", "/1.0").withTimeout(Duration.ofMillis(400))));
          assertEquals("no complete response within 400 ms", e.getMessage());
        });
  }

  @Test
  void aDaemonThatTricklesItsBodyHitsTheRequestsDeadline() throws Exception {
    byte[] body = OK.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    against(
        c -> {
          c.readRequest();
          c.write("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n");
          // Each byte well within any per-read timeout, the whole far beyond the deadline.
          c.trickle(body, Duration.ofMillis(100));
        },
        SMALL,
        (daemon, client) ->
            assertThrows(
                DeadlineExceededException.class,
                () ->
                    client.send(
                        HttpRequest.of("GET", "/1.0").withTimeout(Duration.ofMillis(600)))));
  }

  @Test
  void anAnswerSlowerThanAnyReadSliceButWithinTheDeadlineArrives() throws Exception {
    against(
        c -> {
          c.readRequest();
          // A scripted delay past the transport's internal wait slices (a quarter of a second).
          Thread.sleep(700);
          c.answer(200, OK);
        },
        SMALL,
        (daemon, client) ->
            assertEquals(
                200,
                client
                    .send(HttpRequest.of("GET", "/1.0").withTimeout(Duration.ofMinutes(1)))
                    .status()));
  }

  @Test
  void a5xxIsReturnedNotThrownAndTheTransportGoesOn() throws Exception {
    String error = "{\"type\":\"error\",\"error_code\":500,\"error\":\"database is locked\"}";
    against(
        c -> {
          c.readRequest();
          c.answer(500, error);
          answerAll(c);
        },
        SMALL,
        (daemon, client) -> {
          HttpResponse failed = client.send(HttpRequest.of("GET", "/1.0/instances"));
          assertEquals(500, failed.status());
          assertEquals(error, failed.bodyText());
          assertEquals(200, client.send(HttpRequest.of("GET", "/1.0")).status());
        });
  }

  @Test
  void aDisconnectMidBodyIsAnErrorAndTheRequestIsNotSentAgain() throws Exception {
    against(
        c -> {
          if (c.readRequest() != null) {
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{\"type\":");
            c.hangUp();
          }
        },
        SMALL,
        (daemon, client) -> {
          assertThrows(IOException.class, () -> client.send(HttpRequest.of("GET", "/1.0")));
          assertEquals(List.of("GET /1.0"), daemon.requests());
        });
  }

  @Test
  void aPostWhoseConnectionClosesBeforeAnyAnswerIsNeverSentTwice() throws Exception {
    against(
        // The first connection: a GET answered (so the connection is pooled), then the POST
        // read and the connection dropped as a crashing daemon would, having maybe acted on it.
        firstAnswersOneGetThen(
            c -> {
              if (c.readRequest() != null) {
                c.hangUp();
              }
            }),
        SMALL,
        (daemon, client) -> {
          assertEquals(200, client.send(HttpRequest.of("GET", "/1.0")).status());
          assertThrows(
              IOException.class,
              () -> client.send(HttpRequest.json("POST", "/1.0/instances", "{\"name\":\"x\"}")));
          assertEquals(List.of("GET /1.0", "POST /1.0/instances"), daemon.requests());
        });
  }

  @Test
  void aPooledConnectionTheDaemonClosedIsReplacedAndEachRequestArrivesOnce() throws Exception {
    CountDownLatch firstClosed = new CountDownLatch(1);
    against(
        // As the daemon does with an idle connection after 30 s (or when it restarts).
        firstAnswersOneGetThen(
            c -> {
              c.hangUp();
              firstClosed.countDown();
            }),
        SMALL,
        (daemon, client) -> {
          assertEquals(200, client.send(HttpRequest.of("GET", "/1.0")).status());
          assertTrue(firstClosed.await(1, TimeUnit.MINUTES));
          assertEquals(
              200,
              client.send(HttpRequest.json("POST", "/1.0/instances", "{\"name\":\"x\"}")).status());
          assertEquals(200, client.send(HttpRequest.of("GET", "/1.0/instances")).status());
          assertEquals(
              List.of("GET /1.0", "POST /1.0/instances", "GET /1.0/instances"), daemon.requests());
        });
  }

  @Test
  void headersOverTheLimitAreRefused() throws Exception {
    String big = "x".repeat(8 * 1024);
    against(
        c -> {
          c.readRequest();
          c.write("HTTP/1.1 200 OK\r\nX-Big: " + big + "\r\nContent-Length: 2\r\n\r\n{}");
        },
        SMALL,
        (daemon, client) -> {
          ResponseTooLargeException e =
              assertThrows(
                  ResponseTooLargeException.class,
                  () -> client.send(HttpRequest.of("GET", "/1.0")));
          assertEquals("response headers over the limit of 4 KiB", e.getMessage());
        });
  }

  @Test
  void aBodyOverTheLimitIsRefusedWhetherAnnouncedOrChunked() throws Exception {
    byte[] big = new byte[128 * 1024];
    java.util.Arrays.fill(big, (byte) 'x');
    against(
        c -> {
          Request first = c.readRequest();
          if (first.path().equals("/announced")) {
            c.write("HTTP/1.1 200 OK\r\nContent-Length: " + big.length + "\r\n\r\n");
          } else {
            c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            c.write(Integer.toHexString(big.length) + "\r\n");
          }
          c.write(big);
          c.hang();
        },
        SMALL,
        (daemon, client) -> {
          for (String path : List.of("/announced", "/chunked")) {
            ResponseTooLargeException e =
                assertThrows(
                    ResponseTooLargeException.class,
                    () -> client.send(HttpRequest.of("GET", path)),
                    path);
            assertEquals("a response body over the limit of 64 KiB", e.getMessage());
          }
        });
  }

  @Test
  void aBodyLargerThanTheLimitStreamsWhenOpenedAsAStream() throws Exception {
    int size = 1024 * 1024;
    against(
        c -> {
          c.readRequest();
          c.write("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n");
          byte[] block = new byte[64 * 1024];
          for (int sent = 0; sent < size; sent += block.length) {
            java.util.Arrays.fill(block, (byte) (sent / block.length));
            c.write(block);
          }
          answerAll(c);
        },
        SMALL,
        (daemon, client) -> {
          try (StreamedResponse response = client.open(HttpRequest.of("GET", "/big"))) {
            assertEquals(200, response.status());
            byte[] block = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = response.body().readNBytes(block, 0, block.length)) > 0; ) {
              assertEquals((byte) (total / block.length), block[0], "at " + total);
              total += n;
            }
            assertEquals(size, total);
          }
          assertEquals(200, client.send(HttpRequest.of("GET", "/1.0")).status());
        });
  }

  @Test
  void aWebSocketUpgradeNeverAnsweredTimesOut() throws Exception {
    againstASilentDaemon(
        (daemon, client) -> {
          IOException e =
              assertThrows(IOException.class, () -> client.openWebSocket("/ws?secret=s3cret"));
          assertTrue(
              e instanceof java.net.SocketTimeoutException
                  || e instanceof java.net.http.HttpTimeoutException,
              e.toString());
          assertFalse(String.valueOf(e.getMessage()).contains("s3cret"), e.getMessage());
        });
  }

  private static byte[] readToEnd(WebSocket socket) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (WebSocket.Message m = socket.receive(); m != null; m = socket.receive()) {
      all.writeBytes(m.data());
    }
    return all.toByteArray();
  }

  /** Creates a container from the test image (started or not) and waits for it. */
  private String create(boolean start, Map<String, String> config) throws IOException {
    String name = newName();
    HttpResponse accepted =
        transport.send(json("POST", "/1.0/instances", createBody(name, start, config)));
    assertEquals(202, accepted.status(), accepted.bodyText());
    awaitOn(transport, JSON.readTree(accepted.body()));
    return name;
  }

  private String newName() {
    String name = "coi-test-transport-" + UUID.randomUUID().toString().substring(0, 8);
    created.add(name);
    return name;
  }

  private static ObjectNode createBody(String name, boolean start, Map<String, String> config) {
    ObjectNode body = JSON.createObjectNode();
    body.put("name", name).put("type", "container").put("start", start);
    body.putObject("source").put("type", "image").put("alias", IMAGE);
    ObjectNode labels = body.putObject("config");
    labels.put("user.coi.test", "transport-contract");
    labels.put("user.coi.pid", Long.toString(ProcessHandle.current().pid()));
    config.forEach(labels::put);
    return body;
  }

  /** Waits for the operation of an async envelope; the finished operation, checked a success. */
  private static JsonNode awaitOn(HttpTransport through, JsonNode envelope) throws IOException {
    String operation = envelope.path("operation").asText();
    assertNotNull(operation);
    HttpResponse waited =
        through.send(
            HttpRequest.of("GET", operation + "/wait?timeout=" + OPERATION_TIMEOUT.toSeconds())
                .withTimeout(OPERATION_TIMEOUT.plusSeconds(10)));
    // The wait answers 200 even for a failed operation: the body says.
    assertEquals(200, waited.status(), waited.bodyText());
    JsonNode done = JSON.readTree(waited.body()).path("metadata");
    assertEquals("Success", done.path("status").asText(), waited.bodyText());
    return done;
  }

  protected static HttpRequest json(String method, String path, JsonNode body) throws IOException {
    return HttpRequest.json(method, path, JSON.writeValueAsString(body));
  }

  private static String randomText(int length) {
    Random random = new Random(length);
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append((char) ('a' + random.nextInt(26)));
    }
    return text.toString();
  }
}
