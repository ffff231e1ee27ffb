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

  private static RequestBody zeros() {
    return new RequestBody() {
      @Override
      public long length() {
        return SIZE;
      }

      @Override
      public void writeTo(OutputStream out) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        for (int sent = 0; sent < SIZE; sent += chunk.length) {
          out.write(chunk);
        }
      }
    };
  }

  private static final HttpRequest UPLOAD =
      new HttpRequest("POST", "/1.0/images", Map.of(), new byte[0], HttpRequest.DEFAULT_TIMEOUT);

  /** Serves one connection: reads the head, then lets {@code reply} answer. */
  private CompletableFuture<String> serveOnce(Path socket, ServerReply reply) throws IOException {
    AFUNIXServerSocket server = AFUNIXServerSocket.bindOn(AFUNIXSocketAddress.of(socket));
    return CompletableFuture.supplyAsync(
        () -> {
          try (server;
              Socket s = server.accept()) {
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
              head.write(in.read());
            }
            reply.answer(in, s.getOutputStream());
            return head.toString(StandardCharsets.ISO_8859_1);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
  }

  private interface ServerReply {
    void answer(InputStream in, OutputStream out) throws IOException;
  }

  @Test
  void aRefusalBeforeTheBodyIsAnsweredWithoutSendingIt() throws Exception {
    Path socket = dir.resolve("refuse.sock");
    CompletableFuture<String> head =
        serveOnce(
            socket,
            (in, out) -> {
              out.write(
                  ("HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
                      .getBytes(StandardCharsets.ISO_8859_1));
              out.flush();
            });

    try (UnixSocketTransport transport = new UnixSocketTransport(socket)) {
      HttpResponse response = transport.send(UPLOAD, zeros());

      assertEquals(404, response.status());
      assertTrue(head.get(5, TimeUnit.SECONDS).contains("Expect: 100-continue"));
    }
  }

  @Test
  void aConfirmedUploadIsSentWholeAndAnswered() throws Exception {
    Path socket = dir.resolve("accept.sock");
    CompletableFuture<String> head =
        serveOnce(
            socket,
            (in, out) -> {
              out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
              out.flush();
              long read = in.readNBytes(SIZE).length;
              out.write(
                  ("HTTP/1.1 202 Accepted\r\nContent-Length: "
                          + Long.toString(read).length()
                          + "\r\n\r\n"
                          + read)
                      .getBytes(StandardCharsets.ISO_8859_1));
              out.flush();
            });

    try (UnixSocketTransport transport = new UnixSocketTransport(socket)) {
      HttpResponse response = transport.send(UPLOAD, zeros());

      assertEquals(202, response.status());
      assertEquals(Integer.toString(SIZE), response.bodyText());
      assertTrue(head.get(5, TimeUnit.SECONDS).contains("Content-Length: " + SIZE));
    }
  }
}
