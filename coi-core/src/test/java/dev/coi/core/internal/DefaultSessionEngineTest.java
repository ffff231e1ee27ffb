package dev.coi.core.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.ConfigException;
import dev.coi.api.ConflictException;
import dev.coi.api.ExecResult;
import dev.coi.api.ImageNotFoundException;
import dev.coi.api.InvalidSpecException;
import dev.coi.api.Mount;
import dev.coi.api.Session;
import dev.coi.api.Sessions;
import dev.coi.api.spi.BackendSettings;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.ContainerStatus;
import dev.coi.api.spi.ExecSpec;
import dev.coi.api.spi.IdMap;
import dev.coi.api.spi.RemoteDaemon;
import dev.coi.core.config.ConfigLoader;
import dev.coi.tck.FakeContainerBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DefaultSessionEngineTest extends InMemoryEngineFixture {
  private DefaultSessionEngine engine;

  @BeforeEach
  void setUp() {
    engine = engine(Map.of("TERM", "alacritty"));
  }

  private DefaultSessionEngine engine(Map<String, String> hostEnv) {
    return engine(ConfigLoader.builder().environment(hostEnv).home(home).build());
  }

  private DefaultSessionEngine engine(ConfigLoader config) {
    return new DefaultSessionEngine(
        settings -> {
          backend.configure(settings);
          return backend;
        },
        settings -> store,
        config,
        Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private Path real() throws IOException {
    return workspace.toRealPath();
  }

  @Test
  void aSessionGetsTheLowestSlotAndTheWorkspaceMountedWithLabels() throws IOException {
    try (Session s = engine.start(spec().build())) {
      String expected = "claude-" + ContainerNames.workspaceHash(real()) + "-1";
      assertEquals(expected, s.name());
      assertEquals(1, s.slot());
      assertEquals(real(), s.workspace());

      ContainerSpec created = backend.created().get(expected);
      assertEquals("coi-sandbox", created.image());
      assertTrue(created.ephemeral());
      assertEquals(Mount.of(real(), "/workspace"), created.mounts().get(0));
      assertEquals(
          Mount.of(
              home.resolve(".claude-on-incus/sessions/.live/" + s.id() + "/claude"),
              "/home/claude/.claude"),
          created.mounts().get(1));
      // Beyond these two: the protected paths in the workspace (ProtectedPathsTest).
      assertEquals(
          2, created.mounts().stream().filter(m -> !m.target().startsWith("/workspace/")).count());
      assertEquals(real().toString(), created.labels().get("workspace"));
      assertEquals("1", created.labels().get("slot"));
      assertEquals("ephemeral", created.labels().get("mode"));
      assertEquals(NOW.toString(), created.labels().get("created"));
      assertEquals(Long.toString(ProcessHandle.current().pid()), created.labels().get("pid"));
      assertEquals(36, created.labels().get("session").length());
    }
  }

  @Test
  void concurrentSessionsOnOneWorkspaceTakeTheNextFreeSlots() {
    try (Session first = engine.start(spec().build());
        Session second = engine.start(spec().build());
        Session third = engine.start(spec().build())) {
      assertEquals(List.of(1, 2, 3), List.of(first.slot(), second.slot(), third.slot()));
      assertEquals("3", backend.created().get(third.name()).labels().get("slot"));
    }
  }

  @Test
  void aFreedSlotIsTakenAgain() {
    Session first = engine.start(spec().build());
    Session second = engine.start(spec().build());
    first.close();

    try (Session third = engine.start(spec().build())) {
      assertEquals(1, third.slot());
    } finally {
      second.close();
    }
  }

  @Test
  void anExplicitBusySlotIsAnErrorNamingTheSlot() {
    try (Session first = engine.start(spec().slot(2).build())) {
      ConflictException e =
          assertThrows(ConflictException.class, () -> engine.start(spec().slot(2).build()));
      assertTrue(e.getMessage().contains("slot 2"), e.getMessage());
      assertEquals(1, backend.created().size());
    }
  }

  @Test
  void whenEverySlotIsBusyTheErrorSaysSo() {
    for (int i = 0; i < 10; i++) {
      engine.start(spec().build());
    }
    ConflictException e = assertThrows(ConflictException.class, () -> engine.start(spec().build()));
    assertTrue(e.getMessage().contains("all 10 slots"), e.getMessage());
  }

  @Test
  void slotsBeyondTheLimitAreRefusedBeforeAnythingIsCreated() {
    InvalidSpecException e =
        assertThrows(InvalidSpecException.class, () -> engine.start(spec().slot(11).build()));
    assertTrue(e.getMessage().contains("11"), e.getMessage());
    assertTrue(backend.created().isEmpty());
  }

  @Test
  void closingAnEphemeralSessionRemovesItsContainer() {
    Session s = engine.start(spec().build());
    s.close();
    s.close();

    assertTrue(backend.find(s.name()).isEmpty());
  }

  @Test
  void withoutAwaitingCleanupCloseOnlyRequestsTheStopOfAnEphemeralContainer() {
    Session s = engine.start(spec().awaitCleanup(false).build());
    s.close();

    assertEquals(List.of(s.name()), backend.stopRequests());
    assertTrue(backend.find(s.name()).isEmpty());
  }

  @Test
  void aPersistentContainersStopIsAwaitedEvenWithoutAwaitingCleanup() {
    Session s = engine.start(spec().persistent().awaitCleanup(false).build());
    s.close();

    assertEquals(List.of(), backend.stopRequests());
    assertEquals(ContainerStatus.STOPPED, backend.find(s.name()).orElseThrow().status());
  }

  @Test
  void anExplicitSlotHeldByAnAbandonedEphemeralContainerIsTakenOver() throws IOException {
    String name = "claude-" + ContainerNames.workspaceHash(real()) + "-1";
    // pid_max is at most 2^22 on Linux: this owner cannot be alive.
    backend.create(
        ContainerSpec.builder()
            .name(name)
            .image("coi-sandbox")
            .putLabels("pid", "999999999")
            .putLabels("session", "old")
            .build());

    try (Session s = engine.start(spec().slot(1).build())) {
      assertEquals(name, s.name());
      assertFalse("old".equals(backend.created().get(name).labels().get("session")));
    }
  }

  @Test
  void anExplicitSlotHeldByALiveOwnerOrAForeignContainerStaysBusy() throws IOException {
    String name = "claude-" + ContainerNames.workspaceHash(real()) + "-1";
    backend.create(ContainerSpec.builder().name(name).image("coi-sandbox").build());

    assertThrows(ConflictException.class, () -> engine.start(spec().slot(1).build()));
    assertTrue(backend.find(name).isPresent(), "a container without coi's owner is never removed");
  }

  @Test
  void aPersistentSessionIsKeptStoppedAndReusedByTheNext() {
    Session first = engine.start(spec().persistent().build());
    assertFalse(backend.created().get(first.name()).ephemeral());
    first.close();
    assertEquals(ContainerStatus.STOPPED, backend.find(first.name()).orElseThrow().status());

    try (Session again = engine.start(spec().persistent().build())) {
      assertEquals(first.name(), again.name());
      assertEquals(ContainerStatus.RUNNING, backend.find(again.name()).orElseThrow().status());
    }
  }

  @Test
  void anEphemeralSessionDoesNotTakeOverAKeptContainer() {
    Session kept = engine.start(spec().persistent().build());
    kept.close();

    try (Session ephemeral = engine.start(spec().build())) {
      assertEquals(2, ephemeral.slot());
    }
  }

  @Test
  void runExecutesAsTheAgentUserInTheWorkspaceWithTheSessionEnvironment() {
    backend.onExec(e -> ExecResult.of(0, "hello\n", ""));
    try (Session s = engine.start(spec().putEnvironment("CI", "true").build())) {
      ExecResult r = s.run("echo", "hello");

      assertEquals("hello\n", r.stdout());
      ExecSpec exec = backend.execs().get(0);
      assertEquals(List.of("echo", "hello"), exec.command());
      assertEquals(1000, exec.uid());
      assertEquals(1000, exec.gid());
      assertEquals("/workspace", exec.cwd());
      assertEquals("/home/claude", exec.environment().get("HOME"));
      assertEquals("1", exec.environment().get("IS_SANDBOX"));
      assertEquals("xterm-256color", exec.environment().get("TERM"));
      assertEquals("true", exec.environment().get("CI"));
    }
  }

  @Test
  void aClosedSessionRefusesToRun() {
    Session s = engine.start(spec().persistent().build());
    s.close();
    int execs = backend.execs().size();

    dev.coi.api.CoiException e = assertThrows(dev.coi.api.CoiException.class, () -> s.run("true"));

    assertEquals("session " + s.name() + " is closed", e.getMessage());
    assertEquals(execs, backend.execs().size(), "nothing reached the container");
  }

  @Test
  void theImageComesFromTheSpecThenTheEnvironmentThenTheDefault() {
    DefaultSessionEngine withEnv = engine(Map.of("CLAUDE_ON_INCUS_IMAGE", "coi-test-min"));
    try (Session fromEnv = withEnv.start(spec().build());
        Session fromSpec = withEnv.start(spec().image("coi-sandbox").build())) {
      assertEquals("coi-test-min", backend.created().get(fromEnv.name()).image());
      assertEquals("coi-sandbox", backend.created().get(fromSpec.name()).image());
    }
  }

  @Test
  void aMissingImageFailsAndLeavesNoContainer() {
    ImageNotFoundException e =
        assertThrows(
            ImageNotFoundException.class, () -> engine.start(spec().image("nope").build()));
    assertEquals("nope", e.image());
    assertTrue(backend.created().isEmpty());
  }

  @Test
  void theContainerPrefixComesFromTheSpecOrTheEnvironment() throws IOException {
    DefaultSessionEngine withEnv = engine(Map.of("CLAUDE_ON_INCUS_CONTAINER_PREFIX", "coi-test-"));
    try (Session s = withEnv.start(spec().build());
        Session t = withEnv.start(spec().containerPrefix("other-").build())) {
      assertTrue(s.name().startsWith("coi-test-"), s.name());
      assertTrue(t.name().startsWith("other-"), t.name());
    }
  }

  /** Whoever runs the test (root, uid 1000 or another user) owns the workspace. */
  @Test
  void theWorkspacesOwnerIsMappedOntoTheAgentUser() throws IOException {
    int uid = (Integer) Files.getAttribute(workspace, "unix:uid");
    int gid = (Integer) Files.getAttribute(workspace, "unix:gid");
    try (Session s = engine.start(spec().build())) {
      Optional<IdMap> map = backend.created().get(s.name()).idMap();
      assertEquals(Optional.of(IdMap.of(uid, gid, 1000, 1000)), map);
    }
  }

  @Test
  void aWorkspaceOwnedByUid1000MapsOntoTheAgentUserAsItIs() throws IOException {
    try {
      Files.setAttribute(workspace, "unix:uid", 1000);
      Files.setAttribute(workspace, "unix:gid", 1000);
    } catch (IOException notRoot) {
      org.junit.jupiter.api.Assumptions.abort("needs root to give the workspace to uid 1000");
    }
    try (Session s = engine.start(spec().build())) {
      IdMap map = backend.created().get(s.name()).idMap().orElseThrow();
      assertEquals(IdMap.of(1000, 1000, 1000, 1000), map);
      assertTrue(map.isIdentity(), "the backend may shift the mounts");
    }
  }

  @Test
  void badWorkspacesAreRefusedBeforeAnythingIsCreated() throws IOException {
    Path file = Files.writeString(workspace.resolve("file"), "x");
    assertMessage(engine, workspace.resolve("missing"), "does not exist");
    assertMessage(engine, file, "is not a directory");
    assertMessage(engine, Path.of("/"), "too broad");
    assertMessage(engine, home, "too broad");
    assertTrue(backend.created().isEmpty());
  }

  private static void assertMessage(DefaultSessionEngine engine, Path ws, String text) {
    InvalidSpecException e =
        assertThrows(
            InvalidSpecException.class,
            () -> engine.start(Sessions.builder().workspace(ws).build()));
    assertTrue(
        e.getMessage().contains(text) && e.getMessage().contains(ws.toString()), e.getMessage());
  }

  @Test
  void aRelativeWorkspaceIsResolvedToItsRealPath() throws IOException {
    Path link = Files.createSymbolicLink(home.resolve("link"), workspace);
    try (Session s = engine.start(Sessions.builder().workspace(link).build())) {
      assertEquals(real(), s.workspace());
    }
  }

  private ConfigLoader withUserFile(String toml) throws IOException {
    Path file = Files.writeString(home.resolve("config.toml"), toml);
    return ConfigLoader.builder().userFile(file).home(home).build();
  }

  private void writeProjectFile(String toml) throws IOException {
    Files.writeString(workspace.resolve(ConfigLoader.PROJECT_FILE), toml);
  }

  /** A host environment that trusts the workspace, so that its file may set every key. */
  private Map<String, String> trusting() {
    return Map.of("CLAUDE_ON_INCUS_SECURITY_TRUSTED_WORKSPACES", workspace.toString());
  }

  @Test
  void theProjectFileGivesTheImagePrefixPersistenceAndNumberOfSlots() throws IOException {
    writeProjectFile(
        "[defaults]\nimage = \"coi-test-min\"\ncontainer_prefix = \"proj-\"\n"
            + "persistent = true\nslots = 2\n");
    DefaultSessionEngine configured = engine(trusting());

    try (Session first = configured.start(spec().build());
        Session second = configured.start(spec().build())) {
      ContainerSpec created = backend.created().get(first.name());
      assertEquals("coi-test-min", created.image());
      assertEquals("proj-" + ContainerNames.workspaceHash(real()) + "-1", first.name());
      assertFalse(created.ephemeral());
      assertTrue(first.persistent());
      assertEquals("persistent", created.labels().get("mode"));
      assertEquals(2, second.slot());

      ConflictException full =
          assertThrows(ConflictException.class, () -> configured.start(spec().build()));
      assertTrue(full.getMessage().contains("all 2 slots"), full.getMessage());
      InvalidSpecException range =
          assertThrows(InvalidSpecException.class, () -> configured.start(spec().slot(3).build()));
      assertTrue(range.getMessage().contains("slots 1 to 2"), range.getMessage());
    }
  }

  @Test
  void theSpecStillWinsOverTheConfiguration() throws IOException {
    writeProjectFile("[defaults]\nimage = \"coi-test-min\"\ncontainer_prefix = \"proj-\"\n");
    try (Session s =
        engine(trusting()).start(spec().image("coi-sandbox").containerPrefix("mine-").build())) {
      assertEquals("coi-sandbox", backend.created().get(s.name()).image());
      assertTrue(s.name().startsWith("mine-"), s.name());
    }
  }

  @Test
  void aSpecCanTurnOffPersistenceAndPrivilegeThatTheConfigurationTurnsOn() throws IOException {
    writeProjectFile("[defaults]\npersistent = true\nprivileged = true\n");
    try (Session s = engine(trusting()).start(spec().persistent(false).privileged(false).build())) {
      assertFalse(s.persistent());
      assertTrue(backend.created().get(s.name()).ephemeral());
      assertEquals("coi-sandbox", backend.created().get(s.name()).image());
    }
  }

  @Test
  void aProfilesEnvironmentIsMergedUnderTheSpecs() throws IOException {
    DefaultSessionEngine configured =
        engine(
            withUserFile(
                "[profiles.ci]\nimage = \"coi-test-min\"\n"
                    + "environment = { CI = \"true\", LEVEL = \"profile\" }\n"));
    backend.onExec(e -> ExecResult.of(0, "", ""));
    try (Session s =
        configured.start(spec().profile("ci").putEnvironment("LEVEL", "spec").build())) {
      s.run("env");
      Map<String, String> env = backend.execs().get(0).environment();
      assertEquals("true", env.get("CI"));
      assertEquals("spec", env.get("LEVEL"));
      assertEquals("1", env.get("IS_SANDBOX"));
      assertEquals("coi-test-min", backend.created().get(s.name()).image());
    }
  }

  @Test
  void configuredMountsAreAddedAfterTheWorkspace() throws IOException {
    Path data = Files.createDirectories(home.resolve("data"));
    DefaultSessionEngine configured =
        engine(
            withUserFile("[[mounts]]\nsource = \"data\"\ntarget = \"/data\"\nreadonly = true\n"));
    try (Session s = configured.start(spec().build())) {
      assertEquals(
          List.of(Mount.of(real(), "/workspace"), Mount.of(data, "/data").withReadOnly(true)),
          backend.created().get(s.name()).mounts().subList(0, 2));
    }
  }

  @Test
  void aMissingMountSourceIsRefusedBeforeAnythingIsCreated() throws IOException {
    DefaultSessionEngine configured =
        engine(withUserFile("[[mounts]]\nsource = \"/no/such/dir\"\ntarget = \"/data\"\n"));
    InvalidSpecException e =
        assertThrows(InvalidSpecException.class, () -> configured.start(spec().build()));
    assertTrue(e.getMessage().contains("/no/such/dir"), e.getMessage());
    assertTrue(e.getMessage().contains("config.toml:1"), e.getMessage());
    assertTrue(backend.created().isEmpty());
  }

  @Test
  void mountTargetsInsideTheWorkspaceOrEachOtherAreRefused() throws IOException {
    Files.createDirectories(home.resolve("a"));
    for (List<String> targets :
        List.of(List.of("/workspace/cache"), List.of("/data", "/data/sub"))) {
      StringBuilder toml = new StringBuilder();
      for (String target : targets) {
        toml.append("[[mounts]]\nsource = \"a\"\ntarget = \"").append(target).append("\"\n");
      }
      DefaultSessionEngine configured = engine(withUserFile(toml.toString()));
      InvalidSpecException e =
          assertThrows(
              InvalidSpecException.class, () -> configured.start(spec().build()), "" + targets);
      assertTrue(e.getMessage().contains("overlaps"), e.getMessage());
    }
    assertTrue(backend.created().isEmpty());
  }

  @Test
  void aConfigurationErrorIsAnInvalidSpecForCallersThatCatchThose() throws IOException {
    writeProjectFile("[defaults]\nslots = \"many\"\n");
    DefaultSessionEngine configured = engine(Map.of());

    InvalidSpecException e =
        assertThrows(InvalidSpecException.class, () -> configured.start(spec().build()));

    assertTrue(e instanceof ConfigException, e.getClass().getName());
    assertTrue(e.getMessage().contains("slots"), e.getMessage());
    assertTrue(backend.created().isEmpty());
  }

  @Test
  void aConfigurationErrorStopsEverythingBeforeTheBackendIsAsked() throws IOException {
    writeProjectFile("[defaults]\npersistnt = true\n");
    DefaultSessionEngine configured =
        new DefaultSessionEngine(
            settings -> {
              throw new AssertionError("no backend may be chosen");
            },
            settings -> store,
            ConfigLoader.builder().home(home).build(),
            Clock.fixed(NOW, ZoneOffset.UTC));

    ConfigException e = assertThrows(ConfigException.class, () -> configured.start(spec().build()));
    assertTrue(e.getMessage().contains(":2:1: unknown key 'defaults.persistnt'"), e.getMessage());
    assertThrows(ConfigException.class, () -> configured.start(spec().profile("nope").build()));
  }

  @Test
  void anUntrustedWorkspaceFileThatWouldWidenAccessStopsEverythingBeforeTheBackendIsAsked()
      throws IOException {
    Path sessions = home.resolve("sessions");
    writeProjectFile(
        "[paths]\nsessions_dir = \"" + sessions + "\"\n[incus]\nsocket = \"/run/x.socket\"\n");
    DefaultSessionEngine configured =
        new DefaultSessionEngine(
            settings -> {
              throw new AssertionError("no backend may be chosen");
            },
            settings -> {
              throw new AssertionError("no store may be chosen");
            },
            ConfigLoader.builder().home(home).build(),
            Clock.fixed(NOW, ZoneOffset.UTC));

    ConfigException e = assertThrows(ConfigException.class, () -> configured.start(spec().build()));
    assertTrue(e.getMessage().contains(":2:1: paths.sessions_dir is refused: "), e.getMessage());
    assertFalse(Files.exists(sessions));
  }

  @Test
  void aBadEnvironmentVariableIsAConfigurationError() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> engine(Map.of("CLAUDE_ON_INCUS_DEFAULTS_SLOTS", "abc")).start(spec().build()));
    assertTrue(e.getMessage().contains("CLAUDE_ON_INCUS_DEFAULTS_SLOTS"), e.getMessage());
    assertTrue(backend.created().isEmpty());
  }

  @Test
  void theBackendIsConfiguredFromTheIncusSectionOfTheConfiguration() throws IOException {
    Path file = home.resolve("config.toml");
    Files.writeString(
        file,
        "[incus]\nsocket = \"/run/other/unix.socket\"\n"
            + "[incus.remote]\naddress = \"https://127.0.0.1:8443\"\n"
            + "client_certificate = \"/etc/coi/client.crt\"\nclient_key = \"/etc/coi/client.key\"\n"
            + "server_fingerprint = \"abc123\"\n");
    DefaultSessionEngine configured =
        engine(ConfigLoader.builder().userFile(file).home(home).build());

    try (Session s = configured.start(spec().build())) {
      assertEquals(
          Optional.of(
              BackendSettings.builder()
                  .socket(Path.of("/run/other/unix.socket"))
                  .remote(
                      RemoteDaemon.builder()
                          .address("https://127.0.0.1:8443")
                          .clientCertificate(Path.of("/etc/coi/client.crt"))
                          .clientKey(Path.of("/etc/coi/client.key"))
                          .serverFingerprint("abc123")
                          .build())
                  .build()),
          backend.settings());
    }
  }

  @Test
  void withoutAnIncusSectionTheBackendGetsNoSettings() {
    try (Session s = engine.start(spec().build())) {
      assertEquals(Optional.of(BackendSettings.none()), backend.settings(), "configured, empty");
    }
  }

  @Test
  void anExplicitSlotWhoseContainerVanishesAfterTheConflictIsTaken() throws IOException {
    String name = "claude-" + ContainerNames.workspaceHash(real()) + "-1";
    // The first create meets the old container; by the time the engine looks, it is gone.
    FakeContainerBackend vanishing =
        new FakeContainerBackend("coi-sandbox") {
          private boolean first = true;

          @Override
          public synchronized void create(ContainerSpec spec) {
            if (first) {
              first = false;
              throw new ConflictException("container " + spec.name() + " already exists");
            }
            super.create(spec);
          }
        };
    DefaultSessionEngine racing =
        new DefaultSessionEngine(
            settings -> vanishing,
            settings -> store,
            ConfigLoader.builder().home(home).build(),
            Clock.fixed(NOW, ZoneOffset.UTC));

    try (Session s = racing.start(spec().slot(1).build())) {
      assertEquals(name, s.name());
    }
  }

  @Test
  void execStartsTheCommandAsTheAgentWithItsStreams() throws IOException {
    backend.onExec(e -> ExecResult.of(4, "out\n", "err\n"));
    try (Session s = engine.start(spec().build());
        dev.coi.api.RunningCommand running = s.exec(List.of("make", "test"))) {
      assertEquals("out\n", new String(running.stdout().readAllBytes(), UTF_8));
      assertEquals("err\n", new String(running.stderr().readAllBytes(), UTF_8));
      assertEquals(4, running.waitFor());
      ExecSpec exec = backend.execs().get(0);
      assertEquals(List.of("make", "test"), exec.command());
      assertEquals(1000, exec.uid());
      assertEquals("/workspace", exec.cwd());
    }
  }
}
