package dev.coi.incus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.BackendException;
import dev.coi.api.CoiException;
import dev.coi.incus.transport.HttpRequest;
import dev.coi.incus.transport.ScriptedDaemon;
import dev.coi.incus.transport.TransportLimits;
import dev.coi.incus.transport.UnixSocketTransport;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's user-visible behaviour against a daemon that misbehaves, a scripted one on a unix
 * socket: every request ends with a one-line error naming what happened, nothing is sent twice that
 * the daemon may have acted on, and a file of any size streams to disk.
 */
class MisbehavingDaemonTest {
  private static final String UNIX_SOCKET = "unix socket ";
  @TempDir Path dir;

  private ScriptedDaemon daemon(ScriptedDaemon.Script script) throws Exception {
    return ScriptedDaemon.unix(dir.resolve("incus.socket"), script);
  }

  private static IncusClient client(ScriptedDaemon daemon) {
    return new IncusClient(new UnixSocketTransport(daemon.socketPath()));
  }

  private static long count(List<String> requests, String line) {
    return requests.stream().filter(line::equals).count();
  }

  @Test
  void anInstanceCreateWhoseConnectionBreaksBeforeTheAnswerIsNotSentAgain() throws Exception {
    try (ScriptedDaemon daemon =
            daemon(
                c -> {
                  for (ScriptedDaemon.Request r; (r = c.readRequest()) != null; ) {
                    if (r.method().equals("POST")) {
                      c.hangUp();
                      return;
                    }
                    c.answerSync("{\"api_extensions\":[],\"environment\":{}}");
                  }
                });
        IncusClient incus = client(daemon)) {
      incus.server();
      CoiException e =
          assertThrows(
              CoiException.class,
              () ->
                  incus
                      .instances()
                      .create(InstanceCreate.builder().name("c1").image("coi-test-min").build()));

      assertTrue(
          e.getMessage().startsWith("lost the connection to Incus on " + UNIX_SOCKET),
          e.getMessage());
      assertTrue(e.getMessage().contains("POST /1.0/instances"), e.getMessage());
      assertEquals(
          1, count(daemon.requests(), "POST /1.0/instances"), daemon.requests().toString());
    }
  }

  @Test
  void anExecWhoseConnectionBreaksBeforeTheAnswerIsNotSentAgain() throws Exception {
    try (ScriptedDaemon daemon =
            daemon(
                c -> {
                  if (c.readRequest() != null) {
                    c.hangUp();
                  }
                });
        IncusClient incus = client(daemon)) {
      assertThrows(CoiException.class, () -> incus.exec().start("c1", ExecRequest.of("true")));
      assertThrows(CoiException.class, () -> incus.exec().run("c1", ExecRequest.of("true")));

      assertEquals(
          List.of("POST /1.0/instances/c1/exec", "POST /1.0/instances/c1/exec"), daemon.requests());
    }
  }

  @Test
  void aDaemonThatNeverAnswersIsAnErrorNamingTheRequestAndTheDeadline() throws Exception {
    try (ScriptedDaemon daemon =
            daemon(
                c -> {
                  c.readRequest();
                  c.hang();
                });
        UnixSocketTransport transport = new UnixSocketTransport(daemon.socketPath());
        Rest rest = new Rest(transport)) {
      BackendException e =
          assertThrows(
              BackendException.class,
              () -> rest.send(HttpRequest.of("GET", "/1.0").withTimeout(Duration.ofMillis(300))));

      assertEquals(504, e.status());
      assertEquals(
          "Incus did not answer GET /1.0 on "
              + transport.endpoint()
              + " within the request's deadline of 300 ms: the daemon is stuck or overloaded",
          e.getMessage());
    }
  }

  @Test
  void anAnswerOverTheSizeLimitIsRefusedWithWhatToDo() throws Exception {
    try (ScriptedDaemon daemon =
            daemon(
                c -> {
                  c.readRequest();
                  c.write("HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n");
                  c.hang();
                });
        IncusClient incus = client(daemon)) {
      BackendException e = assertThrows(BackendException.class, () -> incus.instances().list());

      assertEquals(
          "Incus sent a response body over the limit of 64 MiB to GET /1.0/instances?recursion=1"
              + " on "
              + incus.endpoint()
              + ": refused (coi bounds what it reads from the daemon; large files are pulled as"
              + " streams)",
          e.getMessage());
    }
  }

  @Test
  void aFileLargerThanAnyArrayStreamsToDisk() throws Exception {
    // 2 GiB: more than any byte[] can hold, so only a pull that streams can finish.
    long size = 2L * 1024 * 1024 * 1024;
    byte[] block = new byte[1024 * 1024];
    for (int i = 0; i < block.length; i++) {
      block[i] = (byte) (i * 31);
    }
    CRC32 sent = new CRC32();
    try (ScriptedDaemon daemon =
            daemon(
                c -> {
                  c.readRequest();
                  c.write(
                      "HTTP/1.1 200 OK\r\nX-Incus-Type: file\r\nX-Incus-Uid: 1000\r\n"
                          + "X-Incus-Gid: 1000\r\nX-Incus-Mode: 0640\r\nContent-Length: "
                          + size
                          + "\r\n\r\n");
                  for (long at = 0; at < size; at += block.length) {
                    c.write(block);
                    sent.update(block);
                  }
                  c.hang();
                });
        IncusClient incus = client(daemon)) {
      Path target = dir.resolve("big.bin");
      CRC32 received = new CRC32();
      FileInfo info;
      try (OutputStream out =
          new CheckedOutputStream(java.nio.file.Files.newOutputStream(target), received)) {
        info = incus.files().pull("c1", "/big.bin", out);
      }

      assertEquals(size, info.size());
      assertEquals(size, java.nio.file.Files.size(target));
      assertEquals(sent.getValue(), received.getValue());
      assertEquals(0640, info.mode());
      java.nio.file.Files.delete(target);
    }
  }

  @Test
  void aFileOverTheInMemoryLimitIsRefusedByTheInMemoryPull() throws Exception {
    TransportLimits small = new TransportLimits(64 * 1024, 4 * 1024, Duration.ofSeconds(5));
    byte[] content = "x".repeat(8 * 1024).getBytes(StandardCharsets.UTF_8);
    try (ScriptedDaemon daemon =
            daemon(
                c -> {
                  for (ScriptedDaemon.Request r; (r = c.readRequest()) != null; ) {
                    c.write(
                        "HTTP/1.1 200 OK\r\nX-Incus-Type: file\r\nContent-Length: "
                            + content.length
                            + "\r\n\r\n");
                    c.write(content);
                  }
                });
        IncusClient incus = new IncusClient(new UnixSocketTransport(daemon.socketPath(), small))) {
      BackendException e =
          assertThrows(BackendException.class, () -> incus.files().pull("c1", "/f"));
      assertTrue(e.getMessage().startsWith("Incus sent a response body over the limit of 4 KiB"));

      java.io.ByteArrayOutputStream streamed = new java.io.ByteArrayOutputStream();
      assertEquals(content.length, incus.files().pull("c1", "/f", streamed).size());
      assertEquals(content.length, streamed.size());
    }
  }
}
