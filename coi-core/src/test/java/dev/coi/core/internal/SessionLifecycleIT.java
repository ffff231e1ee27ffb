package dev.coi.core.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.CoiException;
import dev.coi.api.RunningCommand;
import dev.coi.api.Session;
import dev.coi.api.SessionInfo;
import dev.coi.api.SessionNotFoundException;
import dev.coi.api.SessionState;
import dev.coi.api.TerminalSize;
import dev.coi.api.spi.SessionStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A session's agent state on the real daemon, in the sandbox image with the agent stand-in: saved
 * however the session ends, resumed, seeded from the host, and the agent run inside tmux.
 */
class SessionLifecycleIT extends LiveSessionTestBase {
  private DefaultSessionEngine engine;

  @BeforeEach
  void engine() {
    engine = engineWith(SessionStores::discover);
  }

  /** The id of a session that ran {@code command} in its container and was closed. */
  private String closedSessionThatRan(String command) {
    try (Session s = engine.start(spec().build())) {
      out(s, command);
      return s.id();
    }
  }

  @Test
  void whatTheAgentWroteIsSavedOnCloseAndRestoredOnResume() {
    String first = closedSessionThatRan("claude-stub -p 'remember me' >/dev/null");
    SessionInfo saved = store.find(first).orElseThrow();
    assertEquals(SessionState.SAVED, saved.state());

    try (Session resumed = engine.start(spec().resumeLatest().build())) {
      assertEquals(first, resumed.info().resumedFrom().orElseThrow());
      String transcript = out(resumed, "cat ~/.claude/projects/*/*.jsonl");
      assertTrue(transcript.contains("remember me"), transcript);
      assertEquals("1000:1000\n", out(resumed, "stat -c %u:%g ~/.claude/projects"));
    }
  }

  @Test
  void aContainerPoweredOffFromOutsideStillHasItsStateSaved() {
    Session s = engine.start(spec().build());
    out(s, "echo 'before the power-off' > ~/.claude/note");
    // As if the user ran "incus stop" or the agent powered off: the ephemeral container vanishes.
    backend.stop(s.name());

    assertEquals(SessionState.SAVED, s.info().state());
    s.close();
    Path restored = home.resolve("restored");
    store.restore(s.id(), restored);
    assertEquals("before the power-off\n", read(restored.resolve("note")));
  }

  @Test
  void aFailureAfterStartEndsTheSessionAndLeavesNoContainer() {
    String id = closedSessionThatRan("echo keep > ~/.claude/kept");
    DefaultSessionEngine failing =
        engineWith(
            settings ->
                new DelegatingStore(SessionStores.discover(settings)) {
                  @Override
                  public void restore(String sessionId, Path directory) {
                    throw new CoiException("the store's disk failed");
                  }
                });

    CoiException e =
        assertThrows(CoiException.class, () -> failing.start(spec().resume(id).build()));
    assertEquals("the store's disk failed", e.getMessage());
    // nothingIsLeftBehind checks that the container is gone; the saved session is intact:
    assertTrue(store.find(id).isPresent());
  }

  @Test
  void resumingWithNothingSavedCreatesNoContainer() {
    assertThrows(SessionNotFoundException.class, () -> engine.start(spec().resumeLatest().build()));
    assertEquals(List.of(), containersOf(workspace));
  }

  @Test
  void theHostsCredentialsAndSettingsAreSeededForTheAgentUser() throws IOException {
    Path hostClaude = HostClaude.credentials(home, "{\"token\":\"t\"}");
    Files.writeString(hostClaude.resolve("settings.json"), "{\"model\":\"opus\"}");
    Files.writeString(hostClaude.resolve("secret-history"), "private");
    Files.writeString(home.resolve(".claude.json"), "{\"userID\":\"u1\"}");

    try (Session s = engine.start(spec().build())) {
      assertEquals("1000:1000 600\n", out(s, "stat -c '%u:%g %a' ~/.claude/.credentials.json"));
      String settings = out(s, "cat ~/.claude/settings.json");
      assertTrue(settings.contains("opus") && settings.contains("bypassPermissions"), settings);
      assertEquals("1000:1000 600\n", out(s, "stat -c '%u:%g %a' ~/.claude.json"));
      String profile = out(s, "cat ~/.claude.json");
      assertTrue(profile.contains("u1") && profile.contains("hasCompletedOnboarding"), profile);
      assertEquals(1, s.run("test", "-e", "/home/claude/.claude/secret-history").exitCode());
    }
  }

  @Test
  void withoutMountClaudeConfigNothingOfTheHostHomeGoesIn() throws IOException {
    HostClaude.credentials(home, "{\"token\":\"t\"}");
    Files.writeString(home.resolve(".claude.json"), "{}");

    try (Session s = engine.start(spec().mountClaudeConfig(false).build())) {
      assertEquals("", out(s, "ls -A ~/.claude"));
      assertEquals(1, s.run("test", "-e", "/home/claude/.claude.json").exitCode());
    }
  }

  @Test
  void aStoppedLeftoverEphemeralContainerGivesItsSlotBack() throws IOException {
    String name = TEST_PREFIX + ContainerNames.workspaceHash(workspace.toRealPath()) + "-1";
    backend.create(
        dev.coi.api.spi.ContainerSpec.builder()
            .name(name)
            .image(IMAGE)
            .ephemeral(false)
            .putLabels("session", "leftover")
            .putLabels("mode", "ephemeral")
            .putLabels("workspace", workspace.toRealPath().toString())
            // pid_max is at most 2^22 on Linux: the older coi that left it is gone.
            .putLabels("pid", "999999999")
            .build());
    backend.stop(name);

    try (Session s = engine.start(spec().build())) {
      assertEquals(name, s.name());
      assertEquals(s.id(), backend.find(name).orElseThrow().labels().get("session"));
    }
  }

  /** Starts the agent in its tmux session and waits until its pane shows it. */
  private static void startAgentAndWait(Session s) throws InterruptedException {
    s.startAgent();
    awaitPane(s, pane -> pane.contains("claude-stub"));
  }

  /** Types {@code keys} and Enter into the agent's pane, as a user at its terminal would. */
  private static void typeInPane(Session s, String keys) {
    out(s, "tmux send-keys -t " + Session.agentTmuxSession(s.name()) + " '" + keys + "' Enter");
  }

  @Test
  void theAgentRunsInTmuxAndAnAttachedTerminalSeesIt() throws Exception {
    try (Session s = engine.start(spec().build())) {
      startAgentAndWait(s);
      typeInPane(s, "hello agent");
      awaitPane(s, pane -> pane.contains("hello agent [echoed by claude-stub]"));

      try (RunningCommand tty = s.attach(TerminalSize.of(100, 30))) {
        String seen = readUntil(tty.stdout(), "hello agent [echoed by claude-stub]");
        assertTrue(seen.contains("hello agent"), seen);
        // A terminal keeps reading what tmux draws; tmux stops taking keys while it cannot write.
        Thread screen =
            new Thread(
                () -> {
                  try {
                    tty.stdout().transferTo(OutputStream.nullOutputStream());
                  } catch (IOException ended) {
                    // The attached command is over.
                  }
                });
        screen.start();
        var exit = java.util.concurrent.CompletableFuture.supplyAsync(tty::waitFor);
        // Ctrl+B D detaches: the attached command ends, the agent runs on.
        tty.stdin().write(new byte[] {2, 'd'});
        tty.stdin().flush();
        assertEquals(0, exit.get(60, TimeUnit.SECONDS), "Ctrl+B D did not detach");
        screen.join(TimeUnit.SECONDS.toMillis(10));
      }
      assertEquals(0, s.run("tmux", "has-session", "-t", "coi-" + s.name()).exitCode());
      CoiException twice = assertThrows(CoiException.class, s::startAgent);
      assertTrue(twice.getMessage().contains("already runs"), twice.getMessage());
    }
  }

  @Test
  void whenTheAgentExitsAShellTakesItsPlace() throws Exception {
    try (Session s = engine.start(spec().build())) {
      startAgentAndWait(s);
      typeInPane(s, "/exit");
      typeInPane(s, "echo shell-$((40+2))");
      awaitPane(s, pane -> pane.contains("shell-42"));

      // Leaving that shell ends the tmux session, and an attached terminal gets its exit code.
      try (RunningCommand tty = s.attach(TerminalSize.of(100, 30))) {
        Thread screen = new Thread(() -> drain(tty));
        screen.start();
        // attach() returns once the exec runs; tmux may not have a client yet, and a shell that
        // ended first would leave nothing to attach to.
        awaitClient(s);
        out(s, "tmux send-keys -t coi-" + s.name() + " 'exit 3' Enter");
        assertEquals(3, tty.waitFor(), "the attached command's exit code");
        screen.join(TimeUnit.SECONDS.toMillis(10));
      }
      assertEquals(1, s.run("tmux", "has-session", "-t", "coi-" + s.name()).exitCode());
    }
  }

  private static void drain(RunningCommand tty) {
    try {
      tty.stdout().transferTo(OutputStream.nullOutputStream());
    } catch (IOException ended) {
      // The attached command is over.
    }
  }

  /** Waits until a terminal is attached to the agent's tmux session. */
  private static void awaitClient(Session s) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (s.run("tmux", "list-clients", "-t", Session.agentTmuxSession(s.name()))
        .stdout()
        .isBlank()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no terminal attached to the agent's tmux session");
      }
      Thread.sleep(100);
    }
  }

  private static void awaitPane(Session s, Predicate<String> seen) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    String pane = "";
    while (System.nanoTime() < deadline) {
      pane = s.run("tmux", "capture-pane", "-p", "-t", Session.agentTmuxSession(s.name())).stdout();
      if (seen.test(pane)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the agent's pane never showed what was expected:\n" + pane);
  }

  /** Reads a terminal until {@code text} has appeared, then returns all that was read. */
  private static String readUntil(InputStream in, String text) throws IOException {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    int n;
    while ((n = in.read(buffer)) > 0) {
      seen.write(buffer, 0, n);
      if (seen.toString(UTF_8).contains(text)) {
        return seen.toString(UTF_8);
      }
    }
    throw new AssertionError("the terminal ended before showing " + text + ":\n" + seen);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** A store that forwards everything, for tests that break one call. */
  private static class DelegatingStore implements SessionStore {
    private final SessionStore delegate;

    DelegatingStore(SessionStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public String name() {
      return delegate.name();
    }

    @Override
    public dev.coi.api.spi.Availability availability() {
      return delegate.availability();
    }

    @Override
    public void save(SessionInfo session, Path stateDirectory) {
      delegate.save(session, stateDirectory);
    }

    @Override
    public java.util.Optional<SessionInfo> find(String id) {
      return delegate.find(id);
    }

    @Override
    public List<SessionInfo> list() {
      return delegate.list();
    }

    @Override
    public void restore(String id, Path directory) {
      delegate.restore(id, directory);
    }

    @Override
    public boolean delete(String id) {
      return delegate.delete(id);
    }
  }
}
