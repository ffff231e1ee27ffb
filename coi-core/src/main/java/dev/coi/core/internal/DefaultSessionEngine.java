package dev.coi.core.internal;

import dev.coi.api.InvalidSpecException;
import dev.coi.api.Mount;
import dev.coi.api.Session;
import dev.coi.api.SessionEngine;
import dev.coi.api.SessionInfo;
import dev.coi.api.SessionNotFoundException;
import dev.coi.api.SessionSpec;
import dev.coi.api.SessionState;
import dev.coi.api.spi.BackendSettings;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.IdMap;
import dev.coi.api.spi.SessionStore;
import dev.coi.core.config.Config;
import dev.coi.core.config.ConfigLoader;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Turns a {@link SessionSpec} into a running session: checks the input, loads the configuration of
 * its workspace, chooses the backend, the store, the image and a free slot, creates the container
 * with its mounts and labels in one step, and seeds or restores the agent's state. Found by {@link
 * dev.coi.api.Sessions} through {@link java.util.ServiceLoader}; also answers the read side ({@link
 * #list()}, {@link #find}, {@link #latest}) and the clean-up calls.
 */
public final class DefaultSessionEngine implements SessionEngine {

  /** The store settings key that names the store to use; see {@link SessionStores#discover}. */
  static final String USE = "use";

  private final Function<BackendSettings, ContainerBackend> backendFactory;
  private final Function<Map<String, String>, SessionStore> storeFactory;
  private final ConfigLoader configLoader;
  private final Clock clock;
  private final SlotAllocator slots;
  private final IdDelegation idDelegation;
  private final SessionCatalog catalog;

  /** One backend per distinct settings: a project file may point at another daemon. */
  private final Map<BackendSettings, ContainerBackend> backends = new HashMap<>();

  private final Map<Map<String, String>, SessionStore> stores = new HashMap<>();

  /**
   * The engine of the running JVM: backends and stores from the class path, configuration from the
   * usual files and the process environment.
   */
  public DefaultSessionEngine() {
    this(
        Backends::discover,
        SessionStores::discover,
        ConfigLoader.standard(),
        Clock.systemUTC(),
        IdDelegation.ofThisHost());
  }

  /** An engine for tests: the host's id delegation is not checked (the daemon decides). */
  DefaultSessionEngine(
      Function<BackendSettings, ContainerBackend> backendFactory,
      Function<Map<String, String>, SessionStore> storeFactory,
      ConfigLoader configLoader,
      Clock clock) {
    this(backendFactory, storeFactory, configLoader, clock, IdDelegation.notChecked());
  }

  DefaultSessionEngine(
      Function<BackendSettings, ContainerBackend> backendFactory,
      Function<Map<String, String>, SessionStore> storeFactory,
      ConfigLoader configLoader,
      Clock clock,
      IdDelegation idDelegation) {
    this.backendFactory = backendFactory;
    this.storeFactory = storeFactory;
    this.configLoader = configLoader;
    this.clock = clock;
    this.slots = new SlotAllocator();
    this.idDelegation = idDelegation;
    this.catalog = new SessionCatalog(clock);
  }

  private synchronized ContainerBackend backend(Config config, Optional<String> forced) {
    BackendSettings settings =
        Backends.settings(config.incus(), forced.or(config.defaults()::backend));
    return backends.computeIfAbsent(settings, backendFactory);
  }

  private synchronized SessionStore store(Config config, Optional<String> forced) {
    Map<String, String> settings = new HashMap<>();
    settings.put("sessions_dir", config.paths().sessionsDir().toString());
    forced.or(config.defaults()::store).ifPresent(name -> settings.put(USE, name));
    return stores.computeIfAbsent(Map.copyOf(settings), storeFactory);
  }

  @Override
  public Session start(SessionSpec spec) {
    // Until the session's own hook exists, a shutdown (Ctrl+C, SIGTERM) undoes the start.
    try (StartGuard guard = new StartGuard()) {
      Session session = start(spec, guard);
      TestPauses.reach(TestPauses.BEFORE_FIRST_EXEC);
      return session;
    }
  }

  private Session start(SessionSpec spec, StartGuard guard) {
    Path workspace = Workspaces.resolve(spec.workspace());
    SessionSpec resolved = spec.toBuilder().workspace(workspace).build();
    Config config = configLoader.load(resolved);
    boolean persistent = config.defaults().persistent();
    int slotCount = config.defaults().slots();
    if (spec.slot() > slotCount) {
      throw new InvalidSpecException(
          "slot " + spec.slot() + " is out of range: a workspace has slots 1 to " + slotCount);
    }
    Map<String, String> environment =
        SessionEnvironment.of(configLoader.environment(), config.environment());
    List<Mount> mounts =
        SessionMounts.plan(
            workspace, resolved, config, configLoader.home(), configLoader.environment());
    ContainerBackend containers = backend(config, spec.backend());
    SessionStore store = store(config, spec.store());
    // Checked before anything is created: resuming nothing must leave nothing behind.
    Optional<SessionInfo> resumed = resumeTarget(spec, workspace, store);
    Workspaces.Owner owner = Workspaces.owner(workspace);
    if (!owner.isAgent() && config.incus().remote().isEmpty()) {
      idDelegation.check(workspace, owner);
    }
    Path stateRoot = AgentState.root(config.paths().sessionsDir());
    AgentState state = new AgentState(stateRoot, owner);
    catalog.sweep(containers, store, stateRoot, Optional.of(workspace));

    String id = UUID.randomUUID().toString();
    Instant created = clock.instant();
    guard.backend(containers);
    Path live = state.create(id, workspace, containers.identity());
    guard.live(live);
    PlaceholderRegistry placeholders =
        new PlaceholderRegistry(config.paths().sessionsDir(), workspace);
    ProtectedPaths.Plan protection;
    try {
      protection = placeholders.enter(id, config.security().allProtectedPaths(), owner);
    } catch (RuntimeException e) {
      AgentState.delete(live);
      throw e;
    }
    TestPauses.reach(TestPauses.BEFORE_CREATE);
    ContainerSpec.Builder template =
        template(resolved, config, mounts, owner, id, created, live, resumed)
            .addAllMounts(protection.mounts());
    String prefix = config.defaults().containerPrefix();
    SlotAllocator.Claim claim;
    try {
      claim =
          guard.creating(
              () ->
                  slots.claim(
                      containers,
                      config.paths().sessionsDir(),
                      spec.slot(),
                      persistent,
                      slotCount,
                      prefix,
                      workspace,
                      template));
    } catch (RuntimeException e) {
      AgentState.delete(live);
      placeholders.leave(id, containers, null);
      throw e;
    }
    boolean fresh = claim.reused().isEmpty();
    // A kept container mounts the placeholders again when it restarts: they stay while it exists.
    String keptName = persistent ? claim.name() : null;

    Set<String> seeded = new HashSet<>();
    SessionInfo.Builder description =
        SessionInfo.builder()
            .id(id)
            .container(claim.name())
            .workspace(workspace)
            .slot(claim.slot())
            .persistent(persistent)
            .state(SessionState.RUNNING)
            .created(created)
            .resumedFrom(resumed.map(SessionInfo::id))
            .labels(spec.labels());
    guard.container(claim.name(), fresh);
    TestPauses.reach(TestPauses.AFTER_CREATE);
    ContainerSession session;
    try {
      ContainerReadiness.await(containers, claim.name(), ContainerReadiness.TIMEOUT);
      if (!fresh) {
        // A kept container goes on as the session it was, with its own state directory, now
        // owned by this program.
        ContainerInfo kept = claim.reused().get();
        String keptId = ContainerLabel.SESSION.in(kept.labels()).orElse(id);
        checkResumable(spec, resumed, claim.name(), keptId);
        Optional<Path> keptLive = AgentState.liveDirectoryOf(kept.labels(), stateRoot);
        if (keptLive.isPresent()) {
          AgentState.delete(live);
          live = keptLive.get();
          state.recreate(live);
        }
        description.id(keptId);
        // Resuming a kept container goes on with its own session and state.
        description.resumedFrom(resumed.map(r -> keptId));
        description.created(
            ContainerLabel.CREATED
                .in(kept.labels())
                .flatMap(SessionCatalog::parseInstant)
                .orElse(created));
        containers.updateLabels(claim.name(), Owners.ofThisProcess());
      }
      ContainerSession.Parts parts =
          new ContainerSession.Parts(
              containers,
              store,
              description.build(),
              spec.awaitCleanup(),
              environment,
              live,
              seeded,
              agentCommand(spec, config, resumed.isPresent()),
              clock,
              () -> placeholders.leave(id, containers, keptName));
      session = guard.handOver(() -> new ContainerSession(parts));
    } catch (RuntimeException e) {
      // The container was made or started for this session: undo that before reporting.
      try {
        if (fresh) {
          containers.delete(claim.name());
          AgentState.delete(live);
        } else {
          containers.shutdown(claim.name(), ContainerSession.SHUTDOWN_TIMEOUT);
        }
        placeholders.leave(id, containers, keptName);
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    try {
      boolean hostConfig = spec.mountClaudeConfig().orElse(config.defaults().mountClaudeConfig());
      if (!fresh) {
        // Its state is its own (never replaced by a saved copy); its credentials are the host's
        // current ones, which may have been rotated since it last ran.
        if (hostConfig) {
          seeded.addAll(state.refreshCredentials(live, configLoader.home()));
        } else {
          AgentState.forgetCredentials(live);
        }
      } else if (resumed.isPresent()) {
        store.restore(resumed.get().id(), live);
        state.chownTree(live);
        if (!hostConfig) {
          // Nothing of the host's home, not even the credentials saved with the session.
          AgentState.forgetCredentials(live);
        }
      }
      if (fresh) {
        seedHome(containers, claim.name(), state, live, hostConfig, seeded);
        if (SessionImages.privileged(resolved, config)) {
          GitIdentity.gitconfig(configLoader.home())
              .ifPresent(git -> pushToHome(containers, claim.name(), ".gitconfig", git, 0644));
        }
      }
    } catch (RuntimeException e) {
      // Nothing of the host is lost by ending here: the session ends as any other would.
      try {
        session.close();
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    return session;
  }

  /** The container a new session asks for, all but its name: one request makes and starts it. */
  private static ContainerSpec.Builder template(
      SessionSpec spec,
      Config config,
      List<Mount> mounts,
      Workspaces.Owner owner,
      String id,
      Instant created,
      Path live,
      Optional<SessionInfo> resumed) {
    boolean persistent = config.defaults().persistent();
    ContainerSpec.Builder template =
        ContainerSpec.builder()
            .image(SessionImages.of(spec, config))
            .ephemeral(!persistent)
            .addAllMounts(mounts)
            .addMounts(Mount.of(live, SessionMounts.stateTarget(config)))
            .putAllLimits(ContainerLimits.of(spec, config))
            .putAllLabels(
                ContainerLabel.ofNewSession(
                    id,
                    spec.workspace(),
                    persistent,
                    created,
                    live,
                    resumed.map(SessionInfo::id),
                    spec.labels()));
    // The backend shifts the mounts of a uid-1000 owner, and maps any other owner (or all, where
    // it cannot shift) onto the agent user.
    return template.idMap(
        IdMap.of(owner.uid(), owner.gid(), ContainerSession.AGENT_UID, ContainerSession.AGENT_GID));
  }

  /**
   * Gives a new container the host's agent credentials, settings and profile when {@code
   * hostConfig}; also on resume, since the saved credentials may have been rotated on the host.
   */
  private void seedHome(
      ContainerBackend containers,
      String container,
      AgentState state,
      Path live,
      boolean hostConfig,
      Set<String> seeded) {
    if (!hostConfig) {
      return;
    }
    seeded.addAll(state.seed(live, configLoader.home()));
    AgentState.profile(configLoader.home())
        .ifPresent(profile -> pushToHome(containers, container, ".claude.json", profile, 0600));
  }

  /** Writes a file in the agent's home, owned by the agent user. */
  private static void pushToHome(
      ContainerBackend containers, String container, String name, byte[] content, int mode) {
    containers.pushFile(
        container,
        SessionEnvironment.AGENT_HOME + "/" + name,
        content,
        ContainerSession.AGENT_UID,
        ContainerSession.AGENT_GID,
        mode);
  }

  /**
   * A kept container goes on with its own session: resuming it (latest) continues that session, and
   * resuming another one would replace its state, which is refused.
   */
  private static void checkResumable(
      SessionSpec spec, Optional<SessionInfo> resumed, String container, String keptId) {
    if (resumed.isEmpty()
        || SessionSpec.LATEST.equals(spec.resume().orElse(""))
        || resumed.get().id().equals(keptId)) {
      return;
    }
    throw new InvalidSpecException(
        "container "
            + container
            + " is kept with session "
            + keptId
            + " and goes on with it: resume "
            + resumed.get().id()
            + " in another slot (--slot N), or remove the kept container first");
  }

  private static Optional<SessionInfo> resumeTarget(
      SessionSpec spec, Path workspace, SessionStore store) {
    if (spec.resume().isEmpty()) {
      return Optional.empty();
    }
    String wanted = spec.resume().get();
    if (SessionSpec.LATEST.equals(wanted)) {
      return Optional.of(
          SessionCatalog.latestSaved(store, workspace)
              .orElseThrow(
                  () ->
                      new SessionNotFoundException(
                          "no saved session of workspace "
                              + workspace
                              + " to resume: start a new session without resume")));
    }
    return Optional.of(
        store
            .find(wanted)
            .orElseThrow(
                () ->
                    new SessionNotFoundException(
                        "no saved session "
                            + wanted
                            + ": list saved sessions with 'coi list --all'")));
  }

  private static List<String> agentCommand(SessionSpec spec, Config config, boolean resuming) {
    List<String> command = new ArrayList<>();
    if (spec.agentCommand().isEmpty()) {
      command.add(config.agent().command());
      command.addAll(config.agent().args());
    } else {
      command.addAll(spec.agentCommand());
    }
    if (resuming) {
      command.add(config.agent().resumeFlag());
    }
    return command;
  }

  @Override
  public Session connect(String name) {
    Config config = configLoader.load();
    return SessionConnector.connect(
        name,
        backend(config, Optional.empty()),
        store(config, Optional.empty()),
        config,
        configLoader.environment(),
        clock);
  }

  @Override
  public List<SessionInfo> list() {
    Config config = configLoader.load();
    return catalog.list(backend(config, Optional.empty()), store(config, Optional.empty()));
  }

  @Override
  public Optional<SessionInfo> find(String id) {
    return list().stream().filter(s -> s.id().equals(id)).findFirst();
  }

  @Override
  public Optional<SessionInfo> latest(Path workspace) {
    Path resolved = Workspaces.resolve(workspace);
    Config config = configLoader.load(resolved);
    return SessionCatalog.latestSaved(store(config, Optional.empty()), resolved);
  }

  @Override
  public void remove(SessionInfo session) {
    // The session's own workspace may point at another daemon or sessions directory.
    Config config =
        java.nio.file.Files.isDirectory(session.workspace())
            ? configLoader.load(session.workspace())
            : configLoader.load();
    catalog.remove(
        backend(config, Optional.empty()),
        store(config, Optional.empty()),
        AgentState.root(config.paths().sessionsDir()),
        session);
  }

  @Override
  public List<String> sweep() {
    Config config = configLoader.load();
    return catalog.sweep(
        backend(config, Optional.empty()),
        store(config, Optional.empty()),
        AgentState.root(config.paths().sessionsDir()),
        Optional.empty());
  }
}
