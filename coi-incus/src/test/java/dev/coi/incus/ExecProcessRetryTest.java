package dev.coi.incus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.BackendException;
import dev.coi.incus.transport.HttpRequest;
import dev.coi.incus.transport.HttpResponse;
import dev.coi.incus.transport.WebSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A streaming exec that the daemon failed before its command started ("Failed to retrieve PID of
 * executing child process", as Incus 6.0 reports it while a container boots) is started again, its
 * streams going on from the new attempt; one whose command ran is never started again.
 */
@Timeout(30)
class ExecProcessRetryTest {
  private static final String NO_PID = "Failed to retrieve PID of executing child process";

  private final Daemon daemon = new Daemon();
  private final Rest rest = new Rest(daemon);
  private final Exec exec = new Exec(rest, new InstanceFiles(rest));

  @AfterEach
  void noThreadIsLeft() {
    assertEquals(Set.of(), ExecProcessTest.execThreads());
  }

  /** A socket the daemon can drop as a closed connection does, with "Connection reset". */
  static final class DroppableSocket extends FakeWebSocket {
    private volatile boolean dropped;

    void drop() {
      dropped = true;
      end();
    }

    @Override
    public Message receive() throws IOException {
      Message m = super.receive();
      if (m == null && dropped) {
        throw new IOException("Connection reset");
      }
      return m;
    }
  }

  /** One exec operation the daemon made: its sockets and its end. */
  static final class Attempt {
    final String id;
    final Daemon daemon;
    final List<String> command;
    final FakeWebSocket control = new FakeWebSocket();
    final FakeWebSocket fd0 =
        new FakeWebSocket() {
          @Override
          public void sendBinary(byte[] data, int offset, int length) throws IOException {
            super.sendBinary(data, offset, length);
            // A quick command ran to its end on the gate alone, and the daemon closed its stdin.
            closed |= inputEndsAfterGate;
          }
        };
    volatile boolean inputEndsAfterGate;
    final DroppableSocket fd1 = new DroppableSocket();
    final DroppableSocket fd2 = new DroppableSocket();
    final CompletableFuture<String> end = new CompletableFuture<>();
    final CompletableFuture<Void> connected = new CompletableFuture<>();
    final boolean terminal;
    int opened;

    Attempt(String id, Daemon daemon, List<String> command, boolean terminal) {
      this.id = id;
      this.daemon = daemon;
      this.command = command;
      this.terminal = terminal;
      // The daemon kills a command whose control socket goes away.
      control.onClose = () -> complete(137);
    }

    /**
     * What {@link RunOnce}'s script does in the container when this attempt starts: true when it
     * goes on to run the command.
     */
    boolean wrapperRuns() {
      String token = command.get(4);
      String attempt = command.get(5);
      if (attempt.equals("1")) {
        return daemon.dirs.add(token) || !daemon.dirs.contains(token);
      }
      return daemon.dirs.add(token) && daemon.dirs.add(token + "/" + attempt);
    }

    /** As Incus does when the command never started: return -1, the sockets dropped. */
    void failUnstarted() {
      end.complete(
          "{\"id\":\""
              + id
              + "\",\"status\":\"Failure\",\"status_code\":400,\"err\":\""
              + NO_PID
              + "\",\"metadata\":{\"return\":-1}}");
      fd1.drop();
      fd2.drop();
      control.end();
    }

    /** The command started, but the daemon failed to read its PID and reports it as not started. */
    void failUnstartedAfterRunning() {
      assertTrue(wrapperRuns());
      failUnstarted();
    }

    /** The script met the end of its input before its gate, and exited 0 without running. */
    void exitWithoutGate() {
      complete(0);
    }

    /** The wrapper ran; it ran the command or, finding an earlier attempt's token, exited 0. */
    void exitWith(int code) {
      boolean ran = wrapperRuns();
      complete(ran ? code : 0);
    }

    private void complete(int code) {
      end.complete(
          "{\"id\":\""
              + id
              + "\",\"status\":\"Success\",\"status_code\":200,\"err\":\"\","
              + "\"metadata\":{\"return\":"
              + code
              + "}}");
      fd1.end();
      fd2.end();
      control.end();
    }

    /** The script is past its gate and its token: it says so, as {@link RunOnce#SCRIPT} does. */
    void runs() {
      assertTrue(wrapperRuns());
      (terminal ? fd0 : fd1).feed(new byte[] {RunOnce.STARTED});
    }

    synchronized WebSocket open(String fd) {
      if (++opened == (terminal ? 2 : 4)) {
        connected.complete(null);
      }
      return Map.<String, WebSocket>of("control", control, "0", fd0, "1", fd1, "2", fd2).get(fd);
    }
  }

  /** A daemon whose exec operations the test scripts one by one. */
  static final class Daemon extends ScriptedDaemon {
    final List<Attempt> attempts = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<Attempt>> made = new ArrayList<>();

    /** The stdin socket of this exec operation (from 1) closes once the gate came. */
    volatile int inputEndsAfterGateOf;

    /** The next exec's stdin socket is closed before the client can send the gate. */
    volatile boolean dropNextInput;

    private volatile boolean droppedInput;

    /** The directories {@link RunOnce}'s script made in the container. */
    final Set<String> dirs = ConcurrentHashMap.newKeySet();

    Daemon() {
      super("scripted exec daemon");
      for (int i = 0; i < Exec.ATTEMPTS + 1; i++) {
        made.add(new CompletableFuture<>());
      }
    }

    /** The n-th exec operation (from 1), once the client has connected all its sockets. */
    Attempt attempt(int n) throws Exception {
      Attempt a = made.get(n - 1).get(10, TimeUnit.SECONDS);
      a.connected.get(10, TimeUnit.SECONDS);
      return a;
    }

    private Attempt byId(String id) {
      return attempts.stream().filter(a -> a.id.equals(id)).findFirst().orElseThrow();
    }

    @Override
    public HttpResponse send(HttpRequest request) throws IOException {
      String path = request.path();
      if (path.equals("/1.0")) {
        return json(
            200,
            "{\"type\":\"sync\",\"status_code\":200,"
                + "\"metadata\":{\"api_extensions\":[\"instance_file_head\"]}}");
      }
      if (request.method().equals("HEAD") && path.contains("/files?path=")) {
        String dir =
            java.net.URLDecoder.decode(
                path.substring(path.indexOf("path=") + 5), StandardCharsets.UTF_8);
        return dirs.contains(dir)
            ? new HttpResponse(200, Map.of("x-incus-type", "directory"), new byte[0])
            : new HttpResponse(404, Map.of(), new byte[0]);
      }
      if (request.method().equals("POST") && path.endsWith("/exec")) {
        if (dropNextInput) {
          dropNextInput = false;
          droppedInput = true;
        }
        List<String> command = new ArrayList<>();
        com.fasterxml.jackson.databind.JsonNode body = Rest.JSON.readTree(request.body());
        body.path("command").forEach(c -> command.add(c.asText()));
        Attempt a =
            new Attempt(
                "op" + (attempts.size() + 1), this, command, body.path("interactive").asBoolean());
        a.inputEndsAfterGate = attempts.size() + 1 == inputEndsAfterGateOf;
        attempts.add(a);
        made.get(attempts.size() - 1).complete(a);
        return json(
            202,
            "{\"type\":\"async\",\"operation\":\"/1.0/operations/"
                + a.id
                + "\",\"metadata\":{\"id\":\""
                + a.id
                + "\",\"class\":\"websocket\",\"status\":\"Running\",\"metadata\":{\"fds\":"
                + "{\"0\":\"0\",\"1\":\"1\",\"2\":\"2\",\"control\":\"control\"}}}}");
      }
      if (path.startsWith("/1.0/operations/")) {
        String id = path.substring("/1.0/operations/".length()).split("[/?]")[0];
        Attempt a = byId(id);
        if (path.contains("/wait")) {
          try {
            String op = a.end.get();
            if (op.contains("Failure")) {
              return json(200, "{\"type\":\"error\",\"error_code\":400,\"error\":\"failed\"}");
            }
            return json(200, "{\"type\":\"sync\",\"status_code\":200,\"metadata\":" + op + "}");
          } catch (InterruptedException | ExecutionException e) {
            throw new IOException(e);
          }
        }
        String op = a.end.getNow("{\"id\":\"" + id + "\",\"status\":\"Running\"}");
        return json(200, "{\"type\":\"sync\",\"status_code\":200,\"metadata\":" + op + "}");
      }
      return json(404, "{\"type\":\"error\",\"error_code\":404,\"error\":\"not found\"}");
    }

    @Override
    public WebSocket openWebSocket(String path) {
      // /1.0/operations/<id>/websocket?secret=<fd>
      String id = path.substring("/1.0/operations/".length()).split("/")[0];
      WebSocket socket = byId(id).open(path.substring(path.indexOf("secret=") + 7));
      if (droppedInput && socket == byId(id).fd0) {
        droppedInput = false;
        byId(id).fd0.closed = true;
      }
      return socket;
    }
  }

  /** Reads {@code in} to its end on another thread. */
  private static Future<String> readAllLater(java.io.InputStream in) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return utf8(in.readAllBytes());
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
  }

  /** Writes, as {@code writes} says, on another thread. */
  private static CompletableFuture<Void> writeLater(Writes writes) {
    return CompletableFuture.runAsync(
        () -> {
          try {
            writes.run();
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
  }

  /** Writes to an exec's stdin. */
  private interface Writes {
    void run() throws IOException;
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static String sent(FakeWebSocket fd0) {
    StringBuilder all = new StringBuilder();
    fd0.sentBinary.forEach(b -> all.append(utf8(b)));
    return all.toString();
  }

  @Test
  void anExecNeverStartedRunsAgainWithTheSameInputAndItsOutputReadsAsOne() throws Exception {
    try (ExecProcess p = exec.start("c1", ExecRequest.of("cat"))) {
      p.stdin().write("input".getBytes(StandardCharsets.UTF_8));
      p.stdin().close();
      Future<String> out = readAllLater(p.stdout());
      Future<String> err = readAllLater(p.stderr());

      daemon.attempt(1).failUnstarted();
      Attempt second = daemon.attempt(2);
      second.fd1.feed("input");
      second.exitWith(0);

      assertEquals("input", out.get(10, TimeUnit.SECONDS));
      assertEquals("", err.get(10, TimeUnit.SECONDS));
      assertEquals(0, p.waitFor());
      assertEquals(
          "\ninput", sent(second.fd0), "the gate, then what was written before, is written again");
      assertEquals("\ninput", sent(daemon.attempts.get(0).fd0));
      assertEquals(List.of(""), second.fd0.sentText, "and so is the end of the input");
      assertEquals("op2", p.operationId());
    }
  }

  @Test
  void anExecThatNeverStartsIsReportedWithTheDaemonsReasonAfterTheLastAttempt() throws Exception {
    try (ExecProcess p = exec.start("c1", ExecRequest.of("true"))) {
      p.stdin().close();
      for (int n = 1; n <= Exec.ATTEMPTS; n++) {
        daemon.attempt(n).failUnstarted();
      }

      BackendException e = assertThrows(BackendException.class, p::waitFor);
      assertTrue(e.getMessage().contains(NO_PID), e.getMessage());
      assertTrue(
          e.getMessage().contains("(not started in " + Exec.ATTEMPTS + " attempts)"),
          e.getMessage());
      assertEquals(Exec.ATTEMPTS, daemon.attempts.size());
      IOException lost = assertThrows(IOException.class, () -> p.stdout().readAllBytes());
      assertTrue(lost.getMessage().contains("Connection reset"), lost.getMessage());
    }
  }

  @Test
  void aCommandThatWroteOutputIsNeverStartedAgain() throws Exception {
    try (ExecProcess p = exec.start("c1", ExecRequest.of("sh"))) {
      p.stdin().close();
      Attempt first = daemon.attempt(1);
      first.fd1.feed("ran");
      byte[] buffer = new byte[3];
      assertEquals(3, p.stdout().read(buffer));
      first.failUnstarted();

      BackendException e = assertThrows(BackendException.class, p::waitFor);
      assertTrue(e.getMessage().contains("(output had come)"), e.getMessage());
      assertEquals(1, daemon.attempts.size());
    }
  }

  @Test
  void inputPastWhatCanBeReplayedWaitsUntilTheCommandRunsSoThatEveryAttemptCanBeRetried()
      throws Exception {
    byte[] input = new byte[3 * ExecProcessInput.REPLAY_LIMIT];
    for (int i = 0; i < input.length; i++) {
      input[i] = (byte) (i * 31 + i / 7);
    }
    try (ExecProcess p = exec.start("c1", ExecRequest.of("cat"))) {
      CompletableFuture<Void> written =
          writeLater(
              () -> {
                p.stdin().write(input, 0, ExecProcessInput.REPLAY_LIMIT);
                p.stdin().write(input, ExecProcessInput.REPLAY_LIMIT, 1);
                p.stdin()
                    .write(
                        input,
                        ExecProcessInput.REPLAY_LIMIT + 1,
                        input.length - ExecProcessInput.REPLAY_LIMIT - 1);
                p.stdin().close();
              });
      Attempt first = daemon.attempt(1);
      awaitSent(first.fd0, 1 + ExecProcessInput.REPLAY_LIMIT);
      assertFalse(written.isDone(), "the byte past the limit waits for the command to run");

      first.failUnstarted();
      Attempt second = daemon.attempt(2);
      awaitSent(second.fd0, 1 + ExecProcessInput.REPLAY_LIMIT);
      assertFalse(written.isDone());
      second.runs();
      written.get(10, TimeUnit.SECONDS);
      second.exitWith(0);

      assertEquals(0, p.waitFor());
      assertEquals(1 + ExecProcessInput.REPLAY_LIMIT, bytes(first.fd0).length, "gate and replay");
      byte[] all = bytes(second.fd0);
      assertEquals(RunOnce.GATE[0], all[0]);
      assertArrayEquals(input, java.util.Arrays.copyOfRange(all, 1, all.length));
      assertEquals("", utf8(p.stdout().readAllBytes()), "the started mark is not output");
    }
  }

  /** The reader and stdin's wait for the start both meet the failed attempt; nothing is lost. */
  @RepeatedTest(10)
  void aReaderAndAWaitingWriterFollowTheRetryTogetherAndLoseNoOutput() throws Exception {
    byte[] input = new byte[ExecProcessInput.REPLAY_LIMIT + 1];
    try (ExecProcess p =
        exec.start("c1", ExecRequest.of("sh", "-c", "echo hello; cat >/dev/null"))) {
      CompletableFuture<Void> written =
          writeLater(
              () -> {
                p.stdin().write(input);
                p.stdin().close();
              });
      Future<String> out = readAllLater(p.stdout());
      daemon.attempt(1).failUnstarted();
      Attempt second = daemon.attempt(2);
      assertTrue(second.wrapperRuns());
      second.fd1.feed("\u0006hello\n");
      written.get(10, TimeUnit.SECONDS);
      second.exitWith(0);

      assertEquals("hello\n", out.get(10, TimeUnit.SECONDS));
      assertEquals(0, p.waitFor());
    }
  }

  @Test
  void theStartedMarkIsTakenOutOfTheOutputAndOnlyIt() throws Exception {
    try (ExecProcess p = exec.start("c1", ExecRequest.of("printf", "\u0006x"))) {
      p.stdin().close();
      Attempt first = daemon.attempt(1);
      first.runs();
      first.fd1.feed("\u0006x");
      first.fd2.feed("\u0006e");
      first.exitWith(0);

      assertEquals("\u0006x", utf8(p.stdout().readAllBytes()));
      assertEquals("\u0006e", utf8(p.stderr().readAllBytes()));
      assertEquals(0, p.waitFor());
    }
  }

  @Test
  void aTerminalExecNeverStartedRunsAgainWithWhatWasTypedAndItsLatestSize() throws Exception {
    ExecRequest tty = ExecRequest.builder().addCommand("bash").interactive(true).build();
    try (ExecProcess p = exec.start("c1", tty)) {
      p.stdin().write("ls\r".getBytes(StandardCharsets.UTF_8));
      p.resize(120, 40);
      Future<String> shown = readAllLater(p.stdout());

      Attempt first = daemon.attempt(1);
      assertEquals("\nls\r", sent(first.fd0), "the gate first, on the terminal too");
      first.failUnstarted();
      first.fd0.end();
      Attempt second = daemon.attempt(2);
      assertEquals(List.of("/bin/sh", "-c", RunOnce.SCRIPT), second.command.subList(0, 3));
      // The terminal echoes the gate before the script says it started.
      second.fd0.feed("\r\n");
      second.runs();
      second.fd0.feed("file\r\n");
      second.exitWith(0);
      second.fd0.end();

      assertEquals("file\r\n", shown.get(10, TimeUnit.SECONDS));
      assertEquals(0, p.waitFor());
      assertEquals("\nls\r", sent(second.fd0));
      assertEquals(
          List.of("{\"command\":\"window-resize\",\"args\":{\"width\":\"120\",\"height\":\"40\"}}"),
          second.control.sentText,
          "the new terminal gets the size the user set meanwhile");
      assertEquals(2, daemon.attempts.size());
    }
  }

  /**
   * A daemon that ends a terminal exec it failed to start only once the client has closed the
   * terminal's socket too: the exit code still comes, with no reader of the output.
   */
  @Test
  void aTerminalExecNeverStartedIsRetriedThoughTheDaemonWaitsForItsSocketToClose()
      throws Exception {
    ExecRequest tty = ExecRequest.builder().addCommand("sh").interactive(true).build();
    try (ExecProcess p = exec.start("c1", tty)) {
      Attempt first = daemon.attempt(1);
      // The daemon ends the terminal and the control socket itself, and keeps the operation:
      // the client's closing them afterwards kills nothing.
      first.control.onClose = () -> {};
      first.fd0.end();
      first.control.end();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!first.fd0.closed) {
        assertTrue(System.nanoTime() < deadline, "the client never closed the failed terminal");
        Thread.sleep(10);
      }
      first.failUnstarted();
      Attempt second = daemon.attempt(2);
      second.fd0.feed("\r\n");
      second.fd0.feed(new byte[] {RunOnce.STARTED}); // past its gate; it runs the command
      second.exitWith(5);
      second.fd0.end();

      assertEquals(5, p.waitFor());
      assertEquals(2, daemon.attempts.size());
    }
  }

  @Test
  void aTerminalExecThatShowedSomethingIsNeverStartedAgain() throws Exception {
    ExecRequest tty = ExecRequest.builder().addCommand("bash").interactive(true).build();
    try (ExecProcess p = exec.start("c1", tty)) {
      Attempt first = daemon.attempt(1);
      first.fd0.feed("\r\n");
      byte[] one = new byte[1];
      Future<Integer> read = CompletableFuture.supplyAsync(() -> readQuietly(p, one));
      first.runs();
      first.fd0.feed("$");
      assertEquals(1, read.get(10, TimeUnit.SECONDS));
      assertEquals('$', one[0], "the echo of the gate and the started mark are not shown");
      first.failUnstarted();
      first.fd0.end();

      BackendException e = assertThrows(BackendException.class, p::waitFor);
      assertTrue(e.getMessage().contains("(output had come)"), e.getMessage());
      assertEquals(1, daemon.attempts.size());
    }
  }

  private static int readQuietly(ExecProcess p, byte[] into) {
    try {
      return p.stdout().read(into);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Waits until {@code n} bytes have been sent on {@code socket}. */
  private static void awaitSent(FakeWebSocket socket, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (bytes(socket).length < n) {
      assertTrue(System.nanoTime() < deadline, "only " + bytes(socket).length + " bytes sent");
      Thread.sleep(5);
    }
  }

  private static byte[] bytes(FakeWebSocket socket) {
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    socket.sentBinary.forEach(all::writeBytes);
    return all.toByteArray();
  }

  @Test
  void aCommandThatRanAndFailedIsNeverStartedAgain() throws Exception {
    try (ExecProcess p = exec.start("c1", ExecRequest.of("false"))) {
      p.stdin().close();
      daemon.attempt(1).exitWith(1);

      assertEquals(1, p.waitFor());
      assertEquals("", utf8(p.stdout().readAllBytes()));
      assertEquals(1, daemon.attempts.size());
    }
  }

  @Test
  void eachAttemptRunsTheCommandThroughTheRunOnceWrapperWithItsNumber() throws Exception {
    try (ExecProcess p = exec.start("c1", ExecRequest.of("printf", "%s", "a b"))) {
      p.stdin().close();
      daemon.attempt(1).failUnstarted();
      daemon.attempt(2).exitWith(0);

      assertEquals(0, p.waitFor());
      List<String> first = daemon.attempts.get(0).command;
      List<String> second = daemon.attempts.get(1).command;
      assertEquals(List.of("/bin/sh", "-c", RunOnce.SCRIPT, "coi-once"), first.subList(0, 4));
      assertEquals(first.get(4), second.get(4), "one token for all attempts");
      assertEquals(List.of("1", "2"), List.of(first.get(5), second.get(5)));
      assertEquals(List.of("printf", "%s", "a b"), second.subList(7, second.size()));
    }
  }

  @Test
  void aCommandThatStartedThoughTheDaemonSaidItHadNotIsNeverRunTwice() throws Exception {
    try (ExecProcess p = exec.start("c1", ExecRequest.of("touch", "/tmp/once"))) {
      p.stdin().close();
      daemon.attempt(1).failUnstartedAfterRunning();
      daemon.attempt(2).exitWith(0);

      BackendException e = assertThrows(BackendException.class, p::waitFor);
      assertTrue(e.getMessage().contains("it ran once, and its exit code is lost"), e.getMessage());
      assertEquals(2, daemon.attempts.size(), "the second attempt found the token and stopped");
    }
  }

  @Test
  void theAttemptThatRanTheCommandGivesItsExitCode() throws Exception {
    try (ExecProcess p = exec.start("c1", ExecRequest.of("false"))) {
      p.stdin().close();
      daemon.attempt(1).failUnstarted();
      daemon.attempt(2).failUnstarted();
      daemon.attempt(3).exitWith(1);

      assertEquals(1, p.waitFor());
      assertTrue(daemon.dirs.contains(daemon.attempts.get(2).command.get(4) + "/3"));
    }
  }

  @Test
  void theNextExecRemovesTheTokensOfEndedOnes() throws Exception {
    runTrueAs(1);
    runTrueAs(2);

    String firstToken = daemon.attempts.get(0).command.get(4);
    assertEquals(firstToken, daemon.attempts.get(1).command.get(6));
    assertTrue(
        firstToken.startsWith("/dev/.coi-once-"), "root's tokens live where only root writes");
  }

  /** Runs {@code true}, which the daemon's {@code n}-th exec operation runs at once. */
  private void runTrueAs(int n) throws Exception {
    try (ExecProcess p = exec.start("c1", ExecRequest.of("true"))) {
      p.stdin().close();
      daemon.attempt(n).exitWith(0);
      assertEquals(0, p.waitFor());
    }
  }

  @Test
  void aRetriedCommandThatEndedBeforeItsInputCouldBeSentAgainGivesItsOwnEnd() throws Exception {
    daemon.inputEndsAfterGateOf = 2;
    try (ExecProcess p = exec.start("c1", ExecRequest.of("echo", "hello"))) {
      p.stdin().close();
      Future<String> out = readAllLater(p.stdout());
      daemon.attempt(1).failUnstarted();
      Attempt second = daemon.attempt(2);
      second.runs();
      second.fd1.feed("hello\n");
      second.exitWith(0);

      assertEquals("hello\n", out.get(10, TimeUnit.SECONDS));
      assertEquals(0, p.waitFor(), "a refused end of input is not the attempt's failure");
      assertTrue(second.fd0.sentText.isEmpty(), "the end of input could not be sent");
    }
  }

  @Test
  void anAttemptWhoseGateCouldNotBeSentIsStartedAgainWhateverItReports() throws Exception {
    daemon.dropNextInput = true;
    try (ExecProcess p = exec.start("c1", ExecRequest.of("echo", "once"))) {
      p.stdin().close();
      daemon.attempt(1).exitWithoutGate();
      Attempt second = daemon.attempt(2);
      second.fd1.feed("once\n");
      second.exitWith(0);

      assertEquals("once\n", utf8(p.stdout().readAllBytes()));
      assertEquals(0, p.waitFor());
      assertEquals(2, daemon.attempts.size());
    }
  }
}
