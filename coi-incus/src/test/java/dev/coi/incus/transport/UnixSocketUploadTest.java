package dev.coi.incus.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * Streamed uploads over a unix socket, against a stand-in server that behaves as Go's does with
 * {@code Expect: 100-continue}: it confirms before reading a body, or answers at once without it.
 */
class UnixSocketUploadTest {
  private static final int SIZE = 4 * 1024 * 1024;

  @TempDir Path dir;

  private static final HttpRequest UPLOAD =
      new HttpRequest("POST", "/1.0/images", Map.of(), new byte[0], HttpRequest.DEFAULT_TIMEOUT);

  /** The head of the request the stand-in daemon read. */
  private CompletableFuture<String> head;

  /**
   * Serves one connection at {@code name} in the test's directory: reads the head (into {@link
   * #head}), then lets {@code reply} answer. Returns the socket's path.
   */
  private Path serveOnce(String name, ServerReply reply) throws IOException {
    Path socket = dir.resolve(name);
    AFUNIXServerSocket server = AFUNIXServerSocket.bindOn(AFUNIXSocketAddress.of(socket));
    head =
        CompletableFuture.supplyAsync(
            () -> {
              try (server;
                  Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                ByteArrayOutputStream read = new ByteArrayOutputStream();
                while (!read.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                  read.write(in.read());
                }
                reply.answer(in, s.getOutputStream());
                return read.toString(StandardCharsets.ISO_8859_1);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    return socket;
  }

  /**
   * Uploads {@link #SIZE} zero bytes to the daemon at {@code socket}, on a transport of its own.
   */
  private static HttpResponse upload(Path socket) throws IOException {
    try (UnixSocketTransport transport = new UnixSocketTransport(socket)) {
      return transport.send(UPLOAD, TestBodies.zeros(SIZE));
    }
  }

  /** Sends the stand-in daemon's answer at once. */
  private static void send(OutputStream out, String answer) throws IOException {
    out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  private interface ServerReply {
    void answer(InputStream in, OutputStream out) throws IOException;
  }

  @Test
  void aRefusalBeforeTheBodyIsAnsweredWithoutSendingIt() throws Exception {
    Path socket =
        serveOnce(
            "refuse.sock",
            (in, out) ->
                send(
                    out,
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"));

    HttpResponse response = upload(socket);

    assertEquals(404, response.status());
    assertTrue(head.get(5, TimeUnit.SECONDS).contains("Expect: 100-continue"));
  }

  @Test
  void aConfirmedUploadIsSentWholeAndAnswered() throws Exception {
    Path socket =
        serveOnce(
            "accept.sock",
            (in, out) -> {
              send(out, "HTTP/1.1 100 Continue\r\n\r\n");
              long read = in.readNBytes(SIZE).length;
              send(
                  out,
                  "HTTP/1.1 202 Accepted\r\nContent-Length: "
                      + Long.toString(read).length()
                      + "\r\n\r\n"
                      + read);
            });

    HttpResponse response = upload(socket);

    assertEquals(202, response.status());
    assertEquals(Integer.toString(SIZE), response.bodyText());
    assertTrue(head.get(5, TimeUnit.SECONDS).contains("Content-Length: " + SIZE));
  }
}
