package dev.coi.incus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.CoiException;
import dev.coi.api.NotFoundException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Streaming execs against the real daemon, in one busybox container for the class. */
@Timeout(120)
class ExecProcessIT {
  private static final String NAME =
      "coi-test-exec-" + UUID.randomUUID().toString().substring(0, 8);
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static IncusClient client;

  @BeforeAll
  static void createContainer() {
    client = IncusClient.local();
    client
        .instances()
        .create(LeakCheck.testInstance(NAME, "ExecProcessIT").ephemeral(true).build());
  }

  @AfterAll
  static void stopContainer() {
    try {
      client.instances().stop(NAME, true); // ephemeral: the daemon deletes it
    } finally {
      client.close();
    }
  }

  @AfterEach
  void noExecThreadIsLeft() throws InterruptedException {
    // close() joins the control thread; a loaded machine may still be ending one it gave up on.
    Await.until("exec threads ended: " + execThreads(), () -> execThreads().isEmpty());
  }

  private static Set<String> execThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("coi-exec-") && t.isAlive())
        .map(Thread::getName)
        .collect(Collectors.toSet());
  }

  private static ExecProcess start(String... command) {
    return client.exec().start(NAME, ExecRequest.of(command));
  }

  private static String text(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }

  @Test
  void stdinComesBackThroughCat() throws IOException {
    try (ExecProcess cat = start("cat")) {
      cat.stdin().write("hello\n".getBytes(StandardCharsets.UTF_8));
      cat.stdin().write("world\n".getBytes(StandardCharsets.UTF_8));
      cat.stdin().close();
      assertEquals("hello\nworld\n", text(cat.stdout()));
      assertEquals("", text(cat.stderr()));
      assertEquals(0, cat.waitFor(WAIT));
    }
  }

  @Test
  void stdoutAndStderrAreSeparate() throws IOException {
    try (ExecProcess p = start("sh", "-c", "echo to-out; echo to-err >&2; echo more-out")) {
      assertEquals("to-out\nmore-out\n", text(p.stdout()));
      assertEquals("to-err\n", text(p.stderr()));
      assertEquals(0, p.waitFor(WAIT));
    }
  }

  @Test
  void exitCodesComeFromTheOperation() {
    try (ExecProcess ok = start("true");
        ExecProcess three = start("sh", "-c", "exit 3");
        ExecProcess missing = start("no-such-command-here");
        ExecProcess notExecutable = start("/etc/passwd")) {
      assertEquals(0, ok.waitFor(WAIT));
      assertEquals(3, three.waitFor(WAIT));
      // The daemon fails these operations; their exit code is read from the operation itself.
      assertEquals(127, missing.waitFor(WAIT));
      assertEquals(126, notExecutable.waitFor(WAIT));
    }
  }

  @Test
  void sigtermEndsSleepWith143() {
    try (ExecProcess sleep = start("sleep", "60")) {
      sleep.signal(15);
      assertEquals(143, sleep.waitFor(WAIT));
      assertFalse(sleep.isAlive());
    }
  }

  @Test
  void aTerminalHasAPtyOfTheAskedSizeAndFollowsResize() throws IOException {
    ExecRequest request =
        ExecRequest.builder()
            .addCommand("sh", "-c", "tty; stty size; while read line; do stty size; done")
            .interactive(true)
            .width(100)
            .height(30)
            .build();
    try (ExecProcess p = client.exec().start(NAME, request)) {
      String first = readUntil(p.stdout(), "30 100");
      assertTrue(first.startsWith("/dev/pts/"), first);
      p.resize(132, 43);
      // The resize goes over the control socket, the newline over fd 0: the daemon may handle
      // the newline first, so ask again until the new size shows.
      String sizes = "";
      for (int attempt = 0; attempt < 50 && !sizes.contains("43 132"); attempt++) {
        p.stdin().write('\n');
        sizes = readUntil(p.stdout(), "30 100", "43 132");
      }
      assertTrue(sizes.contains("43 132"), sizes);
      p.stdin().write(4); // ^D: end of input on a terminal
      text(p.stdout());
      assertEquals(-1, p.stderr().read(), "a terminal has one output stream");
      assertEquals(0, p.waitFor(WAIT));
    }
  }

  /** Reads until the text read contains one of the markers. */
  private static String readUntil(InputStream in, String... markers) throws IOException {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    byte[] buffer = new byte[256];
    while (Stream.of(markers).noneMatch(seen.toString(StandardCharsets.UTF_8)::contains)) {
      int n = in.read(buffer);
      if (n < 0) {
        throw new IOException("stream ended before " + String.join(" or ", markers) + ": " + seen);
      }
      seen.write(buffer, 0, n);
    }
    return seen.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aTerminalsExitCodeIsReadAfterItsEnd() throws IOException {
    ExecRequest request =
        ExecRequest.builder().addCommand("sh", "-c", "exit 5").interactive(true).build();
    try (ExecProcess p = client.exec().start(NAME, request)) {
      text(p.stdout());
      assertEquals(5, p.waitFor(WAIT));
    }
  }

  /**
   * 100 MiB pass through with a consumer that stalls on the way. That the output is read from the
   * socket only as fast as the consumer takes it (so memory stays at one message, however much the
   * command writes) is checked deterministically by {@code
   * ExecProcessStreamsTest.theSocketIsReadOnlyAsFastAsTheStreamIs}; here it must not lose or
   * reorder anything against the real daemon.
   */
  @Test
  void hundredMebibytesStreamThroughAStallingConsumer() throws Exception {
    long size = 100L * 1024 * 1024;
    long total = 0;
    try (ExecProcess head = start("head", "-c", Long.toString(size), "/dev/zero")) {
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = head.stdout().read(buffer)) > 0; ) {
        for (int i = 0; i < n; i++) {
          if (buffer[i] != 0) {
            throw new AssertionError("not a zero at byte " + (total + i));
          }
        }
        total += n;
        if (total >= 10L * 1024 * 1024 && total - n < 10L * 1024 * 1024) {
          // With 90 MiB still unread the command cannot have ended, unless something between it
          // and this reader buffers without bound.
          assertFalse(
              client.operations().get(head.operationId()).isDone(),
              "the command ended with 90 MiB of its output not yet read");
        }
      }
      assertEquals(0, head.waitFor(WAIT));
    }
    assertEquals(size, total);
  }

  @Test
  void closeLeavesNoThreadNoSocketAndKillsWhatStillRuns() throws Exception {
    start("true").close(); // the pool now holds the connection the exec uses
    int idle = client.idleConnections();
    long sockets = openSockets();

    try (ExecProcess done = start("echo", "hi")) {
      assertEquals("hi\n", text(done.stdout()));
      assertEquals(0, done.waitFor(WAIT));
    }
    ExecProcess running = start("sleep", "60");
    String operation = running.operationId();
    running.close();
    assertTrue(client.operations().get(operation).isDone(), "closing ends the operation");
    assertEquals(137, running.waitFor(Duration.ofMillis(1)), "killed by SIGKILL");

    assertEquals(Set.of(), execThreads(), "close() joins the control thread");
    assertEquals(idle, client.idleConnections());
    // Fewer is fine (the daemon may close an idle pooled connection); more is a leak.
    Await.until(
        () -> "sockets of this JVM back to " + sockets + ": " + openSocketsQuietly(),
        () -> openSocketsQuietly() <= sockets,
        Await.PATIENCE);
  }

  private static long openSocketsQuietly() {
    try {
      return openSockets();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The unix and other sockets this JVM holds open now. */
  private static long openSockets() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(
              fd -> {
                try {
                  return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException gone) {
                  return false; // the listing's own descriptor, closed by now
                }
              })
          .count();
    }
  }

  @Test
  void anInterruptedWaitKillsTheCommand() {
    try (ExecProcess sleep = start("sleep", "60")) {
      Thread.currentThread().interrupt();
      CoiException e = assertThrows(CoiException.class, sleep::waitFor);
      assertTrue(Thread.interrupted(), "the interrupt is kept");
      assertTrue(e.getMessage().contains("killed"), e.getMessage());
      assertEquals(137, sleep.waitFor(WAIT));
    }
  }

  @Test
  void closingStdoutEarlyBreaksThePipeLikeAUnixPipe() throws IOException {
    try (ExecProcess yes = start("yes")) {
      assertEquals('y', yes.stdout().read());
      yes.stdout().close();
      assertEquals(128 + 13, yes.waitFor(WAIT), "SIGPIPE");
    }
  }

  @Test
  void aMissingInstanceIsNotFound() {
    NotFoundException e =
        assertThrows(
            NotFoundException.class,
            () -> client.exec().start("coi-test-no-such-instance", ExecRequest.of("true")));
    assertTrue(e.getMessage().contains("coi-test-no-such-instance"), e.getMessage());
  }
}
