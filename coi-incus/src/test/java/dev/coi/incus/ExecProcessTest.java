package dev.coi.incus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.coi.api.BackendException;
import dev.coi.api.CoiException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The exec's life over a fake daemon: connect, exit code, signals, the terminal, closing. */
@Timeout(20)
class ExecProcessTest {
  private final FakeExecDaemon daemon = new FakeExecDaemon();
  private final Exec exec = new Exec(new Rest(daemon), new InstanceFiles(new Rest(daemon)));

  @AfterEach
  void noThreadIsLeft() {
    assertEquals(Set.of(), execThreads());
  }

  static Set<String> execThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("coi-exec-") && t.isAlive())
        .map(Thread::getName)
        .collect(Collectors.toSet());
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Test
  void theStreamingBodyWaitsForWebsocketsAndSizesTheTerminal() {
    JsonNode plain = Exec.streamBody(ExecRequest.of("cat"), List.of("cat"));
    assertTrue(plain.path("wait-for-websocket").asBoolean());
    assertFalse(plain.path("record-output").asBoolean());
    assertFalse(plain.path("interactive").asBoolean());
    assertFalse(plain.has("width"));

    ExecRequest terminal =
        ExecRequest.builder().addCommand("sh").interactive(true).width(120).height(40).build();
    JsonNode tty = Exec.streamBody(terminal, terminal.command());
    assertTrue(tty.path("interactive").asBoolean());
    assertEquals(120, tty.path("width").asInt());
    assertEquals(40, tty.path("height").asInt());
    ExecRequest defaults = ExecRequest.builder().addCommand("sh").interactive(true).build();
    assertEquals(80, defaults.width());
    assertEquals(24, defaults.height());
    assertThrows(
        IllegalArgumentException.class,
        () -> ExecRequest.builder().addCommand("sh").width(0).build());
  }

  @Test
  void controlAndTheThreeStreamsAreConnectedAndTheExitCodeComesFromTheOperation()
      throws IOException {
    try (ExecProcess p = exec.start("demo", ExecRequest.of("sh", "-c", "exit 3"))) {
      assertEquals(
          List.of(
              "/1.0/operations/op1/websocket?secret=sc",
              "/1.0/operations/op1/websocket?secret=s0",
              "/1.0/operations/op1/websocket?secret=s1",
              "/1.0/operations/op1/websocket?secret=s2"),
          daemon.websockets);
      assertEquals(1, execThreads().size(), "control only: output is read by its reader");
      daemon.fd1.feed("out");
      daemon.fd1.end();
      daemon.fd2.feed("err");
      daemon.fd2.end();
      assertEquals("out", utf8(p.stdout().readAllBytes()));
      assertEquals("err", utf8(p.stderr().readAllBytes()));
      assertTrue(p.isAlive());
      daemon.exit(3);
      assertEquals(3, p.waitFor());
      assertEquals(3, p.waitFor(Duration.ofMillis(1)));
      assertFalse(p.isAlive());
      assertEquals("op1", p.operationId());
    }
    assertTrue(
        daemon.fd0.closed && daemon.fd1.closed && daemon.fd2.closed && daemon.control.closed);
  }

  @Test
  void onATerminalTheEndOfOutputClosesFdZeroSoThatTheOperationCanEnd() throws IOException {
    ExecRequest tty = ExecRequest.builder().addCommand("sh").interactive(true).build();
    try (ExecProcess p = exec.start("demo", tty)) {
      assertEquals(2, daemon.websockets.size());
      assertEquals(1, execThreads().size());
      daemon.fd0.feed("$ ");
      daemon.fd0.end();
      assertEquals("$ ", utf8(p.stdout().readAllBytes()));
      assertEquals(-1, p.stderr().read());
      assertTrue(daemon.fd0.closed, "fd 0 closed after the end marker");
      daemon.exit(0);
      assertEquals(0, p.waitFor());
    }
  }

  @Test
  void onATerminalTheExitCodeComesWithoutTheOutputBeingReadAndTheOutputStays() throws IOException {
    ExecRequest tty = ExecRequest.builder().addCommand("sh").interactive(true).build();
    try (ExecProcess p = exec.start("demo", tty)) {
      daemon.fd0.feed("unread");
      daemon.exit(5);

      assertEquals(5, p.waitFor());
      assertTrue(daemon.fd0.closed, "fd 0 closed, so that the daemon can end the operation");
      assertEquals("unread", utf8(p.stdout().readAllBytes()));
    }
  }

  @Test
  void signalAndResizeAreControlMessages() {
    ExecRequest tty = ExecRequest.builder().addCommand("sh").interactive(true).build();
    try (ExecProcess p = exec.start("demo", tty)) {
      p.signal(15);
      p.resize(100, 30);
      assertEquals(
          List.of(
              "{\"command\":\"signal\",\"signal\":15}",
              "{\"command\":\"window-resize\",\"args\":{\"width\":\"100\",\"height\":\"30\"}}"),
          daemon.control.sentText);
      assertThrows(IllegalArgumentException.class, () -> p.resize(0, 10));
      daemon.exit(143);
      assertEquals(143, p.waitFor());
      p.signal(9); // ended: no effect
      assertEquals(2, daemon.control.sentText.size());
    }
  }

  @Test
  void onlyATerminalCanBeResized() {
    try (ExecProcess p = exec.start("demo", ExecRequest.of("cat"))) {
      assertThrows(IllegalStateException.class, () -> p.resize(100, 30));
      daemon.exit(0);
    }
  }

  @Test
  void closingARunningProcessKillsItThroughTheControlSocket() {
    ExecProcess p = exec.start("demo", ExecRequest.of("sleep", "60"));
    p.close();
    assertEquals(List.of("{\"command\":\"signal\",\"signal\":9}"), daemon.control.sentText);
    assertTrue(daemon.control.closed);
    assertEquals(137, p.waitFor());
    p.close(); // twice is fine
  }

  @Test
  void anInterruptedWaitKillsTheProcessAndKeepsTheInterrupt() {
    try (ExecProcess p = exec.start("demo", ExecRequest.of("sleep", "60"))) {
      Thread.currentThread().interrupt();
      CoiException e = assertThrows(CoiException.class, p::waitFor);
      assertTrue(
          e.getMessage().contains("interrupted while waiting for sleep in demo"), e.getMessage());
      assertTrue(Thread.interrupted(), "the interrupt is kept");
      assertTrue(daemon.control.sentText.contains("{\"command\":\"signal\",\"signal\":9}"));
      assertEquals(137, p.waitFor());
    }
  }

  @Test
  void aWaitThatTimesOutIsA504AndTheProcessRunsOn() {
    try (ExecProcess p = exec.start("demo", ExecRequest.of("sleep", "60"))) {
      BackendException e =
          assertThrows(BackendException.class, () -> p.waitFor(Duration.ofMillis(50)));
      assertEquals(504, e.status());
      assertTrue(e.getMessage().contains("sleep in demo still running"), e.getMessage());
      assertTrue(p.isAlive());
      daemon.exit(0);
      assertEquals(0, p.waitFor());
    }
  }

  @Test
  void aCommandTheDaemonCouldNotRunIsAnErrorNamingIt() {
    try (ExecProcess p = exec.start("demo", ExecRequest.of("sh"))) {
      daemon.failOperation("Failed to retrieve PID of executing child process");
      BackendException e = assertThrows(BackendException.class, p::waitFor);
      assertTrue(e.getMessage().contains("Incus could not run sh in demo"), e.getMessage());
      assertTrue(e.getMessage().contains("Failed to retrieve PID"), e.getMessage());
    }
  }

  @Test
  void aSocketThatCannotBeOpenedClosesTheOthersAndSaysWhich() {
    daemon.refuseStderr = true;
    CoiException e =
        assertThrows(CoiException.class, () -> exec.start("demo", ExecRequest.of("sh")));
    assertTrue(e.getMessage().contains("fd 2"), e.getMessage());
    assertTrue(daemon.control.closed && daemon.fd0.closed && daemon.fd1.closed);
  }

  /**
   * A daemon that never ends the operation, even once the control socket is gone: close() still
   * ends the control thread (the @AfterEach checks it right away, without grace).
   */
  @Test
  void closeEndsTheControlThreadWhenTheDaemonNeverEndsTheOperation() {
    daemon.control.onClose = () -> {};
    ExecProcess p = exec.start("c1", ExecRequest.of("sleep", "60"));
    assertEquals(1, execThreads().size());
    p.close();
  }
}
