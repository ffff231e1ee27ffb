package dev.coi.core.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.ConflictException;
import dev.coi.api.InvalidSpecException;
import dev.coi.api.Session;
import dev.coi.api.SessionInfo;
import dev.coi.api.SessionNotFoundException;
import dev.coi.api.SessionState;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.ContainerStatus;
import dev.coi.api.spi.ExecSpec;
import dev.coi.core.config.ConfigLoader;
import dev.coi.tck.InMemorySessionStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How a session's agent state is kept, saved, resumed and cleaned up, on the in-memory backend and
 * store: the agent's writes are simulated by writing into the session's live state directory on the
 * host, which is what the container sees at {@code /home/claude/.claude}.
 */
class SessionLifecycleTest extends InMemoryEngineFixture {
  private final AtomicReference<Instant> now = new AtomicReference<>(NOW);
  private DefaultSessionEngine engine;

  @BeforeEach
  void setUp() {
    engine =
        TestEngines.on(
            backend,
            store,
            home,
            new Clock() {
              @Override
              public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
              }

              @Override
              public Clock withZone(java.time.ZoneId zone) {
                return this;
              }

              @Override
              public Instant instant() {
                return now.get();
              }
            });
  }

  /**
   * A container left by a coi that is gone (pid_max is at most 2^22 on Linux: its owner cannot be
   * alive), of this workspace.
   */
  private ContainerSpec.Builder orphan(String name, String session) throws IOException {
    return ContainerSpec.builder()
        .name(name)
        .image("coi-sandbox")
        .putLabels("session", session)
        .putLabels("workspace", workspace.toRealPath().toString())
        .putLabels("pid", "999999999");
  }

  /** An {@link #orphan} that held {@code slot}, its state kept in {@code state}. */
  private ContainerSpec.Builder orphanOfASlot(String name, String session, String slot, Path state)
      throws IOException {
    return orphan(name, session)
        .putLabels("slot", slot)
        .putLabels("created", NOW.toString())
        .putLabels("state", state.toString());
  }

  /** The live state directory of {@code session}, made with one file in it. */
  private Path liveWith(String session, String file, String content) throws IOException {
    Path dir = Files.createDirectories(live(session));
    Files.writeString(dir.resolve(file), content);
    return dir;
  }

  private Path live(Session s) {
    return live(s.id());
  }

  private Path live(String session) {
    return home.resolve(".claude-on-incus/sessions/.live/" + session + "/claude");
  }

  /** A session in which the agent wrote {@code text} to {@code file}, closed (so saved). */
  private Session savedSession(String file, String text) throws IOException {
    Session s = engine.start(spec().build());
    agentWrites(s, file, text);
    s.close();
    return s;
  }

  /** What the agent would write in the container's {@code ~/.claude}. */
  private void agentWrites(Session s, String file, String text) throws IOException {
    Path target = live(s).resolve(file);
    Files.createDirectories(target.getParent());
    Files.writeString(target, text);
  }

  @Test
  void closingSavesWhatTheAgentWroteAndRemovesTheLiveDirectory() throws IOException {
    Session s = engine.start(spec().putLabels("task", "t-17").build());
    agentWrites(s, "projects/p/transcript.jsonl", "{\"hello\":1}\n");
    s.close();

    SessionInfo saved = store.find(s.id()).orElseThrow();
    assertEquals(SessionState.SAVED, saved.state());
    assertEquals(workspace.toRealPath(), saved.workspace());
    assertEquals(s.name(), saved.container());
    assertEquals(Optional.of(NOW), saved.saved());
    assertEquals(Map.of("task", "t-17"), saved.labels());
    assertArrayEquals(
        "{\"hello\":1}\n".getBytes(UTF_8), store.files(s.id()).get("projects/p/transcript.jsonl"));
    assertFalse(Files.exists(live(s).getParent()), "live directory left behind");
    assertTrue(backend.find(s.name()).isEmpty());
  }

  @Test
  void aSessionInWhichTheAgentWroteNothingIsNotSaved() {
    Session s = engine.start(spec().build());
    s.close();

    assertTrue(store.list().isEmpty());
    assertFalse(Files.exists(live(s).getParent()));
  }

  @Test
  void aContainerPoweredOffFromInsideLosesNothing() throws IOException {
    Session s = engine.start(spec().build());
    agentWrites(s, "notes", "before the power-off");
    // The user ran poweroff in the ephemeral container: it stops and vanishes.
    backend.stop(s.name());

    assertEquals(SessionState.SAVED, s.info().state());
    s.close();
    assertArrayEquals("before the power-off".getBytes(UTF_8), store.files(s.id()).get("notes"));
  }

  @Test
  void saveKeepsTheLatestStateAndCloseSavesAgain() throws IOException {
    try (Session s = engine.start(spec().build())) {
      agentWrites(s, "a", "1");
      SessionInfo first = s.save();
      assertEquals(Optional.of(NOW), first.saved());
      assertEquals(SessionState.RUNNING, first.state());

      now.set(NOW.plusSeconds(60));
      agentWrites(s, "a", "2");
      assertEquals(1, store.list().size());
      assertArrayEquals("1".getBytes(UTF_8), store.files(s.id()).get("a"));
    }
    SessionInfo last = store.list().get(0);
    assertEquals(Optional.of(NOW.plusSeconds(60)), last.saved());
    assertArrayEquals("2".getBytes(UTF_8), store.files(last.id()).get("a"));
  }

  @Test
  void resumingTheLatestRestoresItsStateAndAddsTheResumeFlag() throws IOException {
    Session first = savedSession("projects/p/s1.jsonl", "one");
    now.set(NOW.plusSeconds(5));
    Session second = savedSession("projects/p/s2.jsonl", "two");

    try (Session resumed =
        engine.start(spec().resumeLatest().agentCommand(List.of("claude-stub")).build())) {
      assertFalse(resumed.id().equals(second.id()), "a resumed session has an id of its own");
      assertEquals(Optional.of(second.id()), resumed.info().resumedFrom());
      assertEquals("two", Files.readString(live(resumed).resolve("projects/p/s2.jsonl")));
      assertFalse(Files.exists(live(resumed).resolve("projects/p/s1.jsonl")));
      assertEquals(second.id(), backend.created().get(resumed.name()).labels().get("resumed-from"));

      resumed.startAgent();
      List<String> tmux = lastExec().command();
      assertEquals(List.of("claude-stub", "--resume"), tmux.subList(tmux.size() - 2, tmux.size()));
    }
  }

  @Test
  void resumingAGivenIdRestoresThatOne() throws IOException {
    Session first = savedSession("which", "first");
    now.set(NOW.plusSeconds(5));
    Session second = savedSession("which", "second");

    try (Session resumed = engine.start(spec().resume(first.id()).build())) {
      assertEquals("first", Files.readString(live(resumed).resolve("which")));
    }
  }

  @Test
  void resumingWithNothingSavedCreatesNothing() {
    SessionNotFoundException latest =
        assertThrows(
            SessionNotFoundException.class, () -> engine.start(spec().resumeLatest().build()));
    assertTrue(latest.getMessage().contains("no saved session of workspace"), latest.getMessage());
    SessionNotFoundException byId =
        assertThrows(
            SessionNotFoundException.class, () -> engine.start(spec().resume("nope-1").build()));
    assertTrue(byId.getMessage().contains("nope-1"), byId.getMessage());

    assertTrue(backend.created().isEmpty());
    assertFalse(Files.exists(home.resolve(".claude-on-incus/sessions/.live")));
  }

  @Test
  void theAgentStartsInTmuxInTheWorkspaceAndFallsBackToAShell() {
    try (Session s = engine.start(spec().agentCommand(List.of("claude", "--model", "x")).build())) {
      s.startAgent();
      ExecSpec exec = lastExec();
      assertEquals(
          List.of(
              "tmux",
              "new-session",
              "-d",
              "-s",
              "coi-" + s.name(),
              "-c",
              "/workspace",
              "-x",
              "200",
              "-y",
              "50",
              "--",
              "bash",
              "-c",
              "rm -f /tmp/.coi-agent-exit; \"$@\"; bash -l; s=$?; echo $s > /tmp/.coi-agent-exit;"
                  + " exit $s",
              "coi-agent",
              "claude",
              "--model",
              "x"),
          exec.command());
      assertEquals(1000, exec.uid());
    }
  }

  @Test
  void theConfiguredAgentCommandIsUsedWhenTheSpecGivesNone() {
    try (Session s = engine.start(spec().build())) {
      s.startAgent();
      List<String> command = lastExec().command();
      assertEquals("claude", command.get(command.size() - 1));
    }
  }

  @Test
  void startingTheAgentTwiceSaysItRuns() {
    backend.onExec(exec -> dev.coi.api.ExecResult.of(0, "", ""));
    assertASecondAgentStartSaysItRuns();
  }

  @Test
  void anAgentStartTheDaemonLostAfterRunningItGoesOnWithThatAgent() {
    // The daemon reported the tmux start as never started, and the retry found it had run.
    theTmuxStartIsLost(true);
    assertASecondAgentStartSaysItRuns();
  }

  @Test
  void anAgentStartLostWithNoAgentRunningSaysWhy() {
    theTmuxStartIsLost(false);
    try (Session s = engine.start(spec().build())) {
      dev.coi.api.CoiException e = assertThrows(dev.coi.api.CoiException.class, s::startAgent);
      assertTrue(e.getMessage().contains("cannot start the agent"), e.getMessage());
      assertTrue(e.getMessage().contains("lost"), e.getMessage());
    }
  }

  @Test
  void anAgentThatCannotStartSaysWhy() {
    backend.onExec(exec -> dev.coi.api.ExecResult.of(1, "", "duplicate session: coi\n"));
    try (Session s = engine.start(spec().build())) {
      dev.coi.api.CoiException e = assertThrows(dev.coi.api.CoiException.class, s::startAgent);
      assertTrue(e.getMessage().contains("cannot start the agent"), e.getMessage());
    }
  }

  @Test
  void attachingWithoutAnAgentSaysHowToStartIt() {
    backend.onExec(exec -> dev.coi.api.ExecResult.of(1, "", "can't find session: coi\n"));
    try (Session s = engine.start(spec().build())) {
      dev.coi.api.CoiException e =
          assertThrows(
              dev.coi.api.CoiException.class, () -> s.attach(dev.coi.api.TerminalSize.of(80, 24)));
      assertTrue(e.getMessage().contains("startAgent()"), e.getMessage());
    }
  }

  @Test
  void aFailureAfterTheContainerStartedEndsTheSessionAndKeepsTheState() throws IOException {
    Session first = savedSession("kept", "yes");
    InMemorySessionStore failing =
        new InMemorySessionStore() {
          @Override
          public void restore(String id, Path directory) {
            throw new dev.coi.api.CoiException("disk full");
          }
        };
    failing.save(store.find(first.id()).orElseThrow(), Files.createTempDirectory(home, "x"));
    DefaultSessionEngine broken =
        new DefaultSessionEngine(
            settings -> backend,
            settings -> failing,
            ConfigLoader.builder().environment(Map.of()).home(home).build(),
            Clock.fixed(NOW, ZoneOffset.UTC));

    dev.coi.api.CoiException e =
        assertThrows(
            dev.coi.api.CoiException.class, () -> broken.start(spec().resume(first.id()).build()));
    assertEquals("disk full", e.getMessage());
    assertTrue(backend.list().isEmpty(), "the container was left behind");
  }

  @Test
  void listShowsLiveAndSavedSessionsNewestFirstAndFindAndLatestLookThemUp() throws IOException {
    Session saved = savedSession("x", "1");
    now.set(NOW.plusSeconds(10));
    try (Session running = engine.start(spec().build())) {
      List<SessionInfo> all = engine.list();
      assertEquals(List.of(running.id(), saved.id()), ids(all));
      assertEquals(SessionState.RUNNING, all.get(0).state());
      assertEquals(SessionState.SAVED, all.get(1).state());
      assertEquals(running.name(), engine.find(running.id()).orElseThrow().container());
      assertEquals(Optional.of(saved.id()), engine.latest(workspace).map(SessionInfo::id));
      assertTrue(engine.find("unknown").isEmpty());
    }
  }

  @Test
  void removeDeletesStoppedContainersAndSavedSessionsButNeverARunningOne() throws IOException {
    Session kept = engine.start(spec().persistent().build());
    agentWrites(kept, "work", "done");
    kept.close();
    try (Session running = engine.start(spec().build())) {
      SessionInfo runningInfo = engine.find(running.id()).orElseThrow();
      ConflictException e = assertThrows(ConflictException.class, () -> engine.remove(runningInfo));
      assertTrue(e.getMessage().contains("running"), e.getMessage());
      assertTrue(backend.find(running.name()).isPresent());

      SessionInfo stopped =
          engine.list().stream()
              .filter(i -> i.state() == SessionState.STOPPED)
              .findFirst()
              .orElseThrow();
      engine.remove(stopped);
      assertTrue(backend.find(kept.name()).isEmpty());
      assertFalse(Files.exists(live(kept).getParent()));

      SessionInfo savedInfo = store.find(kept.id()).orElseThrow();
      engine.remove(savedInfo);
      assertTrue(store.find(kept.id()).isEmpty());
      assertThrows(SessionNotFoundException.class, () -> engine.remove(savedInfo));
    }
  }

  @Test
  void aKeptContainerGoesOnAsTheSameSessionWithItsState() throws IOException {
    Session first = engine.start(spec().persistent().build());
    agentWrites(first, "memory", "kept");
    first.close();
    assertTrue(Files.exists(live(first)), "a kept container's state directory stays");

    try (Session again = engine.start(spec().persistent().build())) {
      assertEquals(first.id(), again.id());
      assertEquals(first.name(), again.name());
      assertEquals("kept", Files.readString(live(again).resolve("memory")));
    }
  }

  @Test
  void theSweepSavesAndRemovesContainersWhoseOwnerIsGone() throws IOException {
    Path orphanLive = liveWith("orphan-1", "left", "behind");
    backend.create(orphanOfASlot("claude-deadbeef-1", "orphan-1", "1", orphanLive).build());

    assertEquals(List.of("claude-deadbeef-1"), engine.sweep());
    assertTrue(backend.find("claude-deadbeef-1").isEmpty());
    assertArrayEquals("behind".getBytes(UTF_8), store.files("orphan-1").get("left"));
    assertFalse(Files.exists(orphanLive));
  }

  @Test
  void aStoppedLeftoverEphemeralContainerIsRemovedAndItsSlotTaken() throws IOException {
    String name = "claude-" + ContainerNames.workspaceHash(workspace.toRealPath()) + "-1";
    backend.create(
        orphan(name, "leftover").ephemeral(false).putLabels("mode", "ephemeral").build());
    backend.stop(name);

    try (Session s = engine.start(spec().build())) {
      assertEquals(1, s.slot());
      assertFalse("leftover".equals(backend.created().get(name).labels().get("session")));
    }
  }

  @Test
  void savingAfterCloseIsRefusedAndTheSaveStaysWhole() throws IOException {
    Session s = savedSession("work", "all of it");

    dev.coi.api.CoiException e = assertThrows(dev.coi.api.CoiException.class, s::save);
    assertTrue(e.getMessage().contains("is closed"), e.getMessage());
    assertArrayEquals("all of it".getBytes(UTF_8), store.files(s.id()).get("work"));
  }

  @Test
  void theSweepShutsDownAKeptContainerWhoseProgramDiedAndSavesItsState() throws IOException {
    Path live = liveWith("kept-3", "transcript", "kept words");
    backend.create(
        orphanOfASlot("claude-deadbeef-2", "kept-3", "2", live)
            .ephemeral(false)
            .putLabels("mode", "persistent")
            .build());

    assertEquals(List.of("claude-deadbeef-2"), engine.sweep());
    assertEquals(
        dev.coi.api.spi.ContainerStatus.STOPPED,
        backend.find("claude-deadbeef-2").orElseThrow().status());
    assertArrayEquals("kept words".getBytes(UTF_8), store.files("kept-3").get("transcript"));
    assertTrue(Files.exists(live.resolve("transcript")), "a kept container keeps its state");
  }

  @Test
  void aStateLabelOutsideCoisDirectoryIsNeverDeleted() throws IOException {
    Path precious = Files.createDirectories(home.resolve("precious/claude"));
    Files.writeString(precious.resolve("keep"), "mine");
    backend.create(
        orphan("claude-deadbeef-3", "odd-4").putLabels("state", precious.toString()).build());

    engine.sweep();

    assertTrue(backend.find("claude-deadbeef-3").isEmpty());
    assertEquals("mine", Files.readString(precious.resolve("keep")));
  }

  @Test
  void aKeptContainerTakenOverRecordsItsNewOwner() {
    Session first = engine.start(spec().persistent().build());
    first.close();
    backend.updateLabels(first.name(), Map.of("pid", "999999999"));

    try (Session again = engine.start(spec().persistent().build())) {
      assertEquals(
          Long.toString(ProcessHandle.current().pid()),
          backend.find(again.name()).orElseThrow().labels().get("pid"));
      assertTrue(engine.sweep().isEmpty(), "a kept container in use is not swept");
    }
  }

  /**
   * A session, closed, whose agent wrote credentials ({@code old}) and a history ({@code kept}).
   */
  private Session closedSessionWithOldCredentials() throws IOException {
    Session first = engine.start(spec().build());
    agentWrites(first, ".credentials.json", "{\"token\":\"old\"}");
    agentWrites(first, "history", "kept");
    first.close();
    return first;
  }

  @Test
  void resumingWithoutMountClaudeConfigLeavesTheSavedCredentialsOut() throws IOException {
    Session first = closedSessionWithOldCredentials();

    try (Session resumed =
        engine.start(spec().resume(first.id()).mountClaudeConfig(false).build())) {
      assertEquals("kept", Files.readString(live(resumed).resolve("history")));
      assertFalse(Files.exists(live(resumed).resolve(".credentials.json")));
    }
  }

  @Test
  void resumingRefreshesTheCredentialsFromTheHost() throws IOException {
    Session first = closedSessionWithOldCredentials();
    HostClaude.credentials(home, "{\"token\":\"rotated\"}");

    try (Session resumed = engine.start(spec().resume(first.id()).build())) {
      assertEquals(
          "{\"token\":\"rotated\"}", Files.readString(live(resumed).resolve(".credentials.json")));
    }
  }

  @Test
  void resumingAKeptContainerGoesOnWithItsOwnStateAndTheHostsCurrentCredentials()
      throws IOException {
    Path hostClaude = HostClaude.credentials(home, "{\"token\":\"old\"}");
    Session kept = engine.start(spec().persistent().slot(1).build());
    agentWrites(kept, "memory", "kept");
    kept.close();
    // Another session of the workspace, saved later: the latest saved one.
    now.set(NOW.plusSeconds(60));
    Session other = engine.start(spec().slot(2).build());
    agentWrites(other, "memory", "other");
    other.close();
    Files.writeString(hostClaude.resolve(".credentials.json"), "{\"token\":\"rotated\"}");

    try (Session again = engine.start(spec().persistent().slot(1).resumeLatest().build())) {
      assertEquals(kept.id(), again.id());
      assertEquals(Optional.of(kept.id()), again.info().resumedFrom());
      assertEquals("kept", Files.readString(live(again).resolve("memory")), "its state stays");
      assertEquals(
          "{\"token\":\"rotated\"}", Files.readString(live(again).resolve(".credentials.json")));
    }
  }

  @Test
  void resumingAnotherSessionInAKeptContainerIsRefusedAndLeavesItAsItWas() throws IOException {
    Session kept = engine.start(spec().persistent().slot(1).build());
    agentWrites(kept, "memory", "kept");
    kept.close();
    Session other = engine.start(spec().slot(2).build());
    agentWrites(other, "memory", "other");
    other.close();

    InvalidSpecException e =
        assertThrows(
            InvalidSpecException.class,
            () -> engine.start(spec().persistent().slot(1).resume(other.id()).build()));

    assertTrue(e.getMessage().contains(kept.name()), e.getMessage());
    assertTrue(e.getMessage().contains("--slot"), e.getMessage());
    assertEquals("kept", Files.readString(live(kept).resolve("memory")));
    assertEquals(ContainerStatus.STOPPED, backend.find(kept.name()).orElseThrow().status());
  }

  @Test
  void theSweepRescuesALiveDirectoryWhoseProgramDiedWithoutAContainer() throws IOException {
    Path orphan = home.resolve(".claude-on-incus/sessions/.live/lost-2");
    Files.createDirectories(orphan.resolve("claude"));
    Files.writeString(orphan.resolve("claude/transcript"), "words");
    String host = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    Files.writeString(orphan.resolve("owner"), host + " 999999999 \n");
    Files.writeString(orphan.resolve("workspace"), workspace.toString());

    engine.sweep();

    assertFalse(Files.exists(orphan));
    assertEquals(workspace, store.find("lost-2").orElseThrow().workspace());
    assertArrayEquals("words".getBytes(UTF_8), store.files("lost-2").get("transcript"));
  }

  @Test
  void aLiveDirectoryOfARunningProgramIsLeftAlone() throws IOException {
    try (Session s = engine.start(spec().build())) {
      agentWrites(s, "busy", "yes");
      engine.sweep();
      assertTrue(Files.exists(live(s).resolve("busy")));
      assertTrue(store.list().isEmpty());
    }
  }

  @Test
  void aFreshSessionGetsTheHostsCredentialsAndSettingsMergedForTheSandbox() throws IOException {
    Path hostClaude = HostClaude.credentials(home, "{\"token\":\"s3cret\"}");
    Files.writeString(
        hostClaude.resolve("settings.json"),
        "{\"model\":\"opus\",\"permissions\":{\"allow\":[\"Bash\"]}}");
    Files.writeString(hostClaude.resolve("history.jsonl"), "private");

    try (Session s = engine.start(spec().build())) {
      assertEquals(
          "{\"token\":\"s3cret\"}", Files.readString(live(s).resolve(".credentials.json")));
      String settings = Files.readString(live(s).resolve("settings.json"));
      assertTrue(settings.contains("\"model\" : \"opus\""), settings);
      assertTrue(settings.contains("\"allow\" : [ \"Bash\" ]"), settings);
      assertTrue(settings.contains("\"defaultMode\" : \"bypassPermissions\""), settings);
      assertFalse(Files.exists(live(s).resolve("history.jsonl")), "only the named files go in");
      assertEquals(
          "rw-------",
          java.nio.file.attribute.PosixFilePermissions.toString(
              Files.getPosixFilePermissions(live(s).resolve(".credentials.json"))));
    }
    assertTrue(store.list().isEmpty(), "seeded files alone are not worth saving");
  }

  @Test
  void withoutMountClaudeConfigNothingOfTheHostHomeGoesIn() throws IOException {
    HostClaude.credentials(home, "{}");
    Files.writeString(home.resolve(".claude.json"), "{}");

    try (Session s = engine.start(spec().mountClaudeConfig(false).build())) {
      try (var entries = Files.list(live(s))) {
        assertEquals(0, entries.count());
      }
    }
  }

  @Test
  void aBrokenHostSettingsFileIsNamedAndNothingIsLeftBehind() throws IOException {
    Path hostClaude = Files.createDirectories(home.resolve(".claude"));
    Files.writeString(hostClaude.resolve("settings.json"), "{\"model\": ");

    dev.coi.api.CoiException e =
        assertThrows(dev.coi.api.CoiException.class, () -> engine.start(spec().build()));
    assertTrue(e.getMessage().contains("settings.json is not valid JSON"), e.getMessage());
    assertTrue(e.getMessage().contains("mount_claude_config"), e.getMessage());
    assertTrue(backend.list().isEmpty());
  }

  private ExecSpec lastExec() {
    List<ExecSpec> execs = backend.execs();
    return execs.get(execs.size() - 1);
  }

  private static List<String> ids(List<SessionInfo> sessions) {
    List<String> ids = new ArrayList<>();
    sessions.forEach(s -> ids.add(s.id()));
    return ids;
  }

  /**
   * The daemon reports tmux's start as lost whether or not it ran; {@code has-session} then finds
   * the agent running or not.
   */
  private void theTmuxStartIsLost(boolean agentRuns) {
    backend.onExec(
        exec -> {
          if (exec.command().contains("new-session")) {
            throw new dev.coi.api.CommandLostException("tmux in c: lost");
          }
          boolean missing = !agentRuns && exec.command().contains("has-session");
          return dev.coi.api.ExecResult.of(missing ? 1 : 0, "", "");
        });
  }

  /** Starts the agent in a new session, then once more: the second start says it already runs. */
  private void assertASecondAgentStartSaysItRuns() {
    try (Session s = engine.start(spec().build())) {
      s.startAgent();
      dev.coi.api.CoiException e = assertThrows(dev.coi.api.CoiException.class, s::startAgent);
      assertTrue(e.getMessage().contains("already runs"), e.getMessage());
    }
  }
}
