package dev.coi.incus.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/** The upgrade over a real unix socket, against a stand-in server: no daemon needed. */
class WebSocketHandshakeTest {
  @TempDir Path dir;
  private AFUNIXServerSocket server;
  private final CompletableFuture<Map<String, String>> requestSeen = new CompletableFuture<>();
  private final CompletableFuture<WebSocketFrames.Frame> clientFrame = new CompletableFuture<>();

  @AfterEach
  void stopServer() throws IOException {
    if (server != null) {
      server.close();
    }
  }

  /** Serves one connection: reads the upgrade, answers what {@code answer} makes of its key. */
  private UnixSocketTransport serve(Function<String, byte[]> answer) throws IOException {
    Path socket =
        serveOne(
            "ws.socket",
            (s, in, head) -> {
              requestSeen.complete(head);
              OutputStream out = s.getOutputStream();
              out.write(answer.apply(head.get("sec-websocket-key")));
              out.flush();
              clientFrame.complete(WebSocketFrames.read(in, 1024));
            },
            e -> {
              requestSeen.completeExceptionally(e);
              clientFrame.completeExceptionally(e);
            });
    return new UnixSocketTransport(socket);
  }

  /** What the stand-in server does with its one connection once it has read the upgrade. */
  private interface Connection {
    void serve(Socket s, InputStream in, Map<String, String> head) throws IOException;
  }

  /**
   * Listens at {@code name} in the test's directory and serves one connection on a thread of its
   * own: the upgrade's head (its request line, then each header by its lower-case name) goes to
   * {@code connection}, a failure to {@code failed}.
   */
  private Path serveOne(String name, Connection connection, Consumer<Exception> failed)
      throws IOException {
    Path socket = dir.resolve(name);
    server = AFUNIXServerSocket.newInstance();
    server.bind(AFUNIXSocketAddress.of(socket));
    Thread t =
        new Thread(
            () -> {
              try (Socket s = server.accept()) {
                InputStream in = new BufferedInputStream(s.getInputStream());
                Map<String, String> head = new HashMap<>();
                head.put("request-line", Http1Codec.readLine(in));
                for (String line = Http1Codec.readLine(in); !line.isEmpty(); ) {
                  int colon = line.indexOf(':');
                  head.put(
                      line.substring(0, colon).toLowerCase(Locale.ROOT),
                      line.substring(colon + 1).trim());
                  line = Http1Codec.readLine(in);
                }
                connection.serve(s, in, head);
              } catch (IOException | RuntimeException e) {
                failed.accept(e);
              }
            },
            "test-websocket-server");
    t.setDaemon(true);
    t.start();
    return socket;
  }

  private static byte[] switching(String accept, byte[] firstFrames) {
    String head =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: "
            + accept
            + "\r\n\r\n";
    return ServerFrames.concat(head.getBytes(StandardCharsets.ISO_8859_1), firstFrames);
  }

  @Test
  void theUpgradeIsAGetWithAKeyAndFramesRightAfterTheHeadAreNotLost() throws Exception {
    UnixSocketTransport transport =
        serve(
            key ->
                switching(
                    UnixWebSocket.acceptFor(key),
                    ServerFrames.concat(ServerFrames.binary("early"), ServerFrames.text(""))));
    try (WebSocket ws = transport.openWebSocket("/1.0/operations/op1/websocket?secret=s3cret")) {
      Map<String, String> head = requestSeen.get(5, TimeUnit.SECONDS);
      assertEquals(
          "GET /1.0/operations/op1/websocket?secret=s3cret HTTP/1.1", head.get("request-line"));
      assertEquals("websocket", head.get("upgrade"));
      assertEquals("Upgrade", head.get("connection"));
      assertEquals("13", head.get("sec-websocket-version"));
      assertEquals(24, head.get("sec-websocket-key").length());
      assertTrue(head.containsKey("host"), "the daemon needs a Host header");

      assertEquals("early", new String(ws.receive().data(), StandardCharsets.UTF_8));
      assertNull(ws.receive());
      ws.sendBinary(new byte[] {'i', 'n'}, 0, 2);
      assertEquals("in", new String(clientFrame.get(5, TimeUnit.SECONDS).payload(), "UTF-8"));
    }
    assertEquals(0, transport.idleConnections(), "an upgraded connection never joins the pool");
  }

  @Test
  void anErrorAnswerIsRefusedWithTheDaemonsResponseAndNoSecretInTheMessage() throws Exception {
    String body = "{\"type\":\"error\",\"error_code\":403,\"error\":\"not authorized\"}";
    UnixSocketTransport transport =
        serve(
            key ->
                ("HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.length()
                        + "\r\n\r\n"
                        + body)
                    .getBytes(StandardCharsets.ISO_8859_1));
    WebSocketRefusedException e =
        assertThrows(
            WebSocketRefusedException.class,
            () -> transport.openWebSocket("/1.0/operations/op1/websocket?secret=s3cret"));
    assertEquals(403, e.response().status());
    assertEquals(body, e.response().bodyText());
    assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
  }

  @Test
  void framesSentBeforeTheDaemonHungUpAreReadThoughThePongFails() throws Exception {
    CompletableFuture<Void> hungUp = new CompletableFuture<>();
    // More than the reader buffers at once, so that part of it is still in the kernel.
    byte[] lastWords = new byte[100 * 1024];
    java.util.Arrays.fill(lastWords, (byte) 'w');
    Path socket =
        serveOne(
            "hangup.socket",
            (s, in, head) -> {
              // As the daemon does at the end of a stream it was slow to have read: a ping
              // still unread, the last output, the end marker, and the connection dropped.
              s.getOutputStream()
                  .write(
                      switching(
                          UnixWebSocket.acceptFor(head.get("sec-websocket-key")),
                          ServerFrames.concat(
                              ServerFrames.frame(true, WebSocketFrames.PING, new byte[] {7}),
                              ServerFrames.frame(true, WebSocketFrames.BINARY, lastWords),
                              ServerFrames.text(""))));
              s.close();
              hungUp.complete(null);
            },
            hungUp::completeExceptionally);
    try (WebSocket ws = new UnixSocketTransport(socket).openWebSocket("/ws?secret=x")) {
      hungUp.get(5, TimeUnit.SECONDS);
      org.junit.jupiter.api.Assertions.assertArrayEquals(lastWords, ws.receive().data());
      assertNull(ws.receive());
    }
  }

  @Test
  void anUpgradeNeverAnsweredTimesOut() throws Exception {
    Path socket = dir.resolve("silent.socket");
    server = AFUNIXServerSocket.newInstance();
    server.bind(AFUNIXSocketAddress.of(socket));
    // The server never accepts: the connect completes in the kernel's backlog, the upgrade is
    // never answered. Only the failure is asserted; how long it takes is the machine's business.
    java.net.SocketTimeoutException e =
        assertThrows(
            java.net.SocketTimeoutException.class,
            () -> UnixWebSocket.open(socket, "/ws?secret=x", java.time.Duration.ofMillis(300)));
    assertEquals("the daemon did not answer in time", e.getMessage());
  }

  @Test
  void aWrongAcceptKeyIsRefused() throws Exception {
    UnixSocketTransport transport = serve(key -> switching("bm90IHRoZSBrZXk=", new byte[0]));
    assertThrows(ProtocolException.class, () -> transport.openWebSocket("/ws?secret=x"));
  }
}
