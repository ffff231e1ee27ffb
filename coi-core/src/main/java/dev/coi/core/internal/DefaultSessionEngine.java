package dev.coi.core.internal;

import dev.coi.api.InvalidSpecException;
import dev.coi.api.Mount;
import dev.coi.api.Session;
import dev.coi.api.SessionEngine;
import dev.coi.api.SessionInfo;
import dev.coi.api.SessionNotFoundException;
import dev.coi.api.SessionSpec;
import dev.coi.api.spi.BackendSettings;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.SessionStore;
import dev.coi.core.config.Config;
import dev.coi.core.config.ConfigLoader;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
  private static final System.Logger LOG = System.getLogger(DefaultSessionEngine.class.getName());

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

  /** The plan: everything checked and chosen before anything is made; then the steps. */
  private Session start(SessionSpec spec, StartGuard guard) {
    Path workspace = Workspaces.resolve(spec.workspace());
    SessionSpec resolved = spec.toBuilder().workspace(workspace).build();
    Config config = configLoader.load(resolved);
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
    catalog.sweep(containers, store, stateRoot, Optional.of(workspace));
    LOG.log(System.Logger.Level.DEBUG, "session start: planned and swept");
    SessionStart.Plan plan =
        new SessionStart.Plan(
            resolved,
            config,
            mounts,
            environment,
            containers,
            store,
            resumed,
            owner,
            new AgentState(stateRoot, owner),
            stateRoot,
            configLoader.home(),
            UUID.randomUUID().toString(),
            clock.instant());
    return new SessionStart(plan, slots, guard, clock).run();
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

  /** Acting on a container by name, with the default configuration's backend and store. */
  private ContainerCommands commands() {
    Config config = configLoader.load();
    return new ContainerCommands(
        backend(config, Optional.empty()),
        store(config, Optional.empty()),
        AgentState.root(config.paths().sessionsDir()),
        catalog);
  }

  @Override
  public void kill(String container) {
    commands().kill(container);
  }

  @Override
  public void shutdown(String container, java.time.Duration timeout) {
    commands().shutdown(container, timeout);
  }

  @Override
  public SessionInfo persist(String container) {
    return commands().persist(container);
  }

  @Override
  public dev.coi.api.ExecResult run(String container, List<String> command) {
    Config config = configLoader.load();
    return commands()
        .run(
            container,
            command,
            SessionEnvironment.of(configLoader.environment(), config.environment()));
  }

  @Override
  public dev.coi.api.RunningCommand exec(
      String container, List<String> command, dev.coi.api.TerminalSize terminal) {
    Config config = configLoader.load();
    return commands()
        .exec(
            container,
            command,
            SessionEnvironment.of(configLoader.environment(), config.environment()),
            terminal);
  }

  @Override
  public List<String> profiles(Path workspace) {
    return List.copyOf(configLoader.load(Workspaces.resolve(workspace)).profileNames());
  }

  @Override
  public List<dev.coi.api.ImageInfo> images() {
    return backend(configLoader.load(), Optional.empty()).images();
  }

  @Override
  public List<dev.coi.api.ConfigSetting> configuration(Path workspace) {
    return configLoader.load(Workspaces.resolve(workspace)).entries();
  }

  @Override
  public List<dev.coi.api.HostCheck> checkHost() {
    return HostChecks.run(configLoader, backendFactory, idDelegation);
  }

  @Override
  public dev.coi.api.NetworkSupport networkSupport() {
    return backend(configLoader.load(), Optional.empty()).networkSupport();
  }

  @Override
  public List<String> sweep() {
    return sweep(session -> true);
  }

  @Override
  public List<String> sweep(java.util.function.Predicate<SessionInfo> which) {
    Config config = configLoader.load();
    return catalog.sweep(
        backend(config, Optional.empty()),
        store(config, Optional.empty()),
        AgentState.root(config.paths().sessionsDir()),
        Optional.empty(),
        which);
  }
}
