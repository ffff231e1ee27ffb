package dev.coi.core.internal;

import dev.coi.api.ConflictException;
import dev.coi.api.InvalidSpecException;
import dev.coi.api.Mount;
import dev.coi.api.Session;
import dev.coi.api.SessionEngine;
import dev.coi.api.SessionInfo;
import dev.coi.api.SessionNotFoundException;
import dev.coi.api.SessionSpec;
import dev.coi.api.SessionState;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.ContainerStatus;
import dev.coi.api.spi.IdMap;
import dev.coi.api.spi.SessionStore;
import dev.coi.core.config.Config;
import dev.coi.core.config.ConfigLoader;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
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
  private static final System.Logger LOG = System.getLogger(DefaultSessionEngine.class.getName());

  /** The settings key that names the backend or store to use; see {@link Backends#discover}. */
  static final String USE = "use";

  private final Function<Map<String, String>, ContainerBackend> backendFactory;
  private final Function<Map<String, String>, SessionStore> storeFactory;
  private final ConfigLoader configLoader;
  private final Clock clock;
  private final SlotAllocator slots;
  private final IdDelegation idDelegation;

  /** One backend per distinct settings: a project file may point at another daemon. */
  private final Map<Map<String, String>, ContainerBackend> backends = new HashMap<>();

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
      Function<Map<String, String>, ContainerBackend> backendFactory,
      Function<Map<String, String>, SessionStore> storeFactory,
      ConfigLoader configLoader,
      Clock clock) {
    this(backendFactory, storeFactory, configLoader, clock, IdDelegation.notChecked());
  }

  DefaultSessionEngine(
      Function<Map<String, String>, ContainerBackend> backendFactory,
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
  }

  private synchronized ContainerBackend backend(Config config, Optional<String> forced) {
    Map<String, String> settings = new HashMap<>(Backends.settings(config.incus()));
    forced.or(config.defaults()::backend).ifPresent(name -> settings.put(USE, name));
    return backends.computeIfAbsent(Map.copyOf(settings), backendFactory);
  }

  private synchronized SessionStore store(Config config, Optional<String> forced) {
    Map<String, String> settings = new HashMap<>();
    settings.put("sessions_dir", config.paths().sessionsDir().toString());
    forced.or(config.defaults()::store).ifPresent(name -> settings.put(USE, name));
    return stores.computeIfAbsent(Map.copyOf(settings), storeFactory);
  }

  @Override
  public Session start(SessionSpec spec) {
    Path workspace = Workspaces.resolve(spec.workspace());
    SessionSpec resolved = spec.toBuilder().workspace(workspace).build();
    Config config = configLoader.load(resolved);
    boolean persistent = config.defaults().persistent();
    int slotCount = config.defaults().slots();
    if (spec.slot() > slotCount) {
      throw new InvalidSpecException(
          "slot " + spec.slot() + " is out of range: a workspace has slots 1 to " + slotCount);
    }
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
    sweep(containers, store, stateRoot, Optional.of(workspace));

    String id = UUID.randomUUID().toString();
    Instant created = clock.instant();
    Path live = state.create(id, workspace);
    String stateTarget = SessionMounts.stateTarget(config);
    ContainerSpec.Builder template =
        ContainerSpec.builder()
            .image(SessionImages.of(resolved, config))
            .ephemeral(!persistent)
            .addAllMounts(mounts)
            .addMounts(Mount.of(live, stateTarget))
            .putAllLimits(ContainerLimits.of(resolved, config))
            .putLabels("session", id)
            .putLabels("workspace", workspace.toString())
            .putLabels("mode", persistent ? "persistent" : "ephemeral")
            .putLabels("user", System.getProperty("user.name", "unknown"))
            .putLabels("created", created.toString())
            .putLabels("state", live.toString())
            .putAllLabels(Owners.ofThisProcess());
    resumed.ifPresent(r -> template.putLabels("resumed-from", r.id()));
    spec.labels().forEach((k, v) -> template.putLabels("label." + k, v));
    if (!owner.isAgent()) {
      // Shifting maps host 1000 to container 1000; any other owner is mapped onto the agent user.
      template.idMap(
          IdMap.of(
              owner.uid(), owner.gid(), ContainerSession.AGENT_UID, ContainerSession.AGENT_GID));
    }
    String prefix = config.defaults().containerPrefix();
    SlotAllocator.Claim claim;
    try {
      claim =
          slots.claim(
              containers,
              config.paths().sessionsDir(),
              spec.slot(),
              persistent,
              slotCount,
              prefix,
              workspace,
              template);
    } catch (RuntimeException e) {
      AgentState.delete(live);
      throw e;
    }

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
    boolean fresh = claim.reused().isEmpty();
    if (!fresh) {
      // A kept container goes on as the session it was, with its own state directory.
      AgentState.delete(live);
      ContainerInfo kept = claim.reused().get();
      live = Path.of(kept.labels().getOrDefault("state", live.toString()));
      description.id(kept.labels().getOrDefault("session", id));
      description.created(parseInstant(kept.labels().get("created")).orElse(created));
      state.recreate(live);
    }
    List<String> agent = agentCommand(spec, config, resumed.isPresent());
    Set<String> seeded = new HashSet<>();
    ContainerSession session =
        new ContainerSession(
            new ContainerSession.Parts(
                containers,
                store,
                description.build(),
                spec.awaitCleanup(),
                SessionEnvironment.of(configLoader.environment(), config.environment()),
                live,
                seeded,
                agent,
                clock));
    try {
      boolean hostConfig = spec.mountClaudeConfig().orElse(config.defaults().mountClaudeConfig());
      if (resumed.isPresent()) {
        store.restore(resumed.get().id(), live);
        state.chownTree(live);
      } else if (fresh && hostConfig) {
        seeded.addAll(state.seed(live, configLoader.home()));
      }
      if (fresh && hostConfig) {
        AgentState.profile(configLoader.home())
            .ifPresent(
                profile ->
                    containers.pushFile(
                        claim.name(),
                        SessionEnvironment.AGENT_HOME + "/.claude.json",
                        profile,
                        ContainerSession.AGENT_UID,
                        ContainerSession.AGENT_GID,
                        0600));
      }
      if (fresh && SessionImages.privileged(resolved, config)) {
        GitIdentity.gitconfig(configLoader.home())
            .ifPresent(
                gitconfig ->
                    containers.pushFile(
                        claim.name(),
                        SessionEnvironment.AGENT_HOME + "/.gitconfig",
                        gitconfig,
                        ContainerSession.AGENT_UID,
                        ContainerSession.AGENT_GID,
                        0644));
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

  private static Optional<SessionInfo> resumeTarget(
      SessionSpec spec, Path workspace, SessionStore store) {
    if (spec.resume().isEmpty()) {
      return Optional.empty();
    }
    String wanted = spec.resume().get();
    if (SessionSpec.LATEST.equals(wanted)) {
      return Optional.of(
          latestSaved(store, workspace)
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

  private static Optional<SessionInfo> latestSaved(SessionStore store, Path workspace) {
    return store.list().stream().filter(s -> s.workspace().equals(workspace)).findFirst();
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

  private static Optional<Instant> parseInstant(String text) {
    try {
      return Optional.ofNullable(text).map(Instant::parse);
    } catch (RuntimeException unreadable) {
      return Optional.empty();
    }
  }

  @Override
  public List<SessionInfo> list() {
    Config config = configLoader.load();
    List<SessionInfo> all = new ArrayList<>();
    Set<String> live = new HashSet<>();
    for (ContainerInfo container : backend(config, Optional.empty()).list()) {
      describe(container)
          .ifPresent(
              info -> {
                all.add(info);
                live.add(info.id());
              });
    }
    Map<String, SessionInfo> saved = new HashMap<>();
    for (SessionInfo info : store(config, Optional.empty()).list()) {
      saved.put(info.id(), info);
      if (!live.contains(info.id())) {
        all.add(info);
      }
    }
    List<SessionInfo> merged = new ArrayList<>();
    for (SessionInfo info : all) {
      SessionInfo savedToo = saved.get(info.id());
      merged.add(
          savedToo != null && info.state() != SessionState.SAVED
              ? SessionInfo.builder().from(info).saved(savedToo.saved()).build()
              : info);
    }
    merged.sort(Comparator.comparing(SessionInfo::created).reversed());
    return merged;
  }

  /** A coi container as a session; empty for containers coi's engine did not make. */
  private static Optional<SessionInfo> describe(ContainerInfo container) {
    Map<String, String> labels = container.labels();
    if (!labels.containsKey("session") || !labels.containsKey("workspace")) {
      return Optional.empty();
    }
    SessionInfo.Builder info =
        SessionInfo.builder()
            .id(labels.get("session"))
            .container(container.name())
            .workspace(Path.of(labels.get("workspace")))
            .slot(parseSlot(labels.get("slot")))
            .persistent("persistent".equals(labels.get("mode")))
            .state(
                container.status() == ContainerStatus.RUNNING
                    ? SessionState.RUNNING
                    : SessionState.STOPPED)
            .created(parseInstant(labels.get("created")).orElse(Instant.EPOCH))
            .resumedFrom(Optional.ofNullable(labels.get("resumed-from")));
    labels.forEach(
        (k, v) -> {
          if (k.startsWith("label.")) {
            info.putLabels(k.substring("label.".length()), v);
          }
        });
    return Optional.of(info.build());
  }

  private static int parseSlot(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException unknown) {
      return 0;
    }
  }

  @Override
  public Optional<SessionInfo> find(String id) {
    return list().stream().filter(s -> s.id().equals(id)).findFirst();
  }

  @Override
  public Optional<SessionInfo> latest(Path workspace) {
    Path resolved = Workspaces.resolve(workspace);
    Config config = configLoader.load(resolved);
    return latestSaved(store(config, Optional.empty()), resolved);
  }

  @Override
  public void remove(SessionInfo session) {
    Config config = configLoader.load();
    ContainerBackend containers = backend(config, Optional.empty());
    SessionStore store = store(config, Optional.empty());
    if (session.state() == SessionState.SAVED) {
      if (!store.delete(session.id())) {
        throw new SessionNotFoundException(
            "no saved session " + session.id() + ": list them with 'coi list --all'");
      }
      return;
    }
    Optional<ContainerInfo> container = containers.find(session.container());
    if (container.isEmpty()) {
      return;
    }
    if (container.get().status() == ContainerStatus.RUNNING) {
      throw new ConflictException(
          "session "
              + session.id()
              + " is running in "
              + session.container()
              + ": end it first, coi never removes a running session");
    }
    retire(containers, store, container.get());
  }

  @Override
  public List<String> sweep() {
    Config config = configLoader.load();
    return sweep(
        backend(config, Optional.empty()),
        store(config, Optional.empty()),
        AgentState.root(config.paths().sessionsDir()),
        Optional.empty());
  }

  /**
   * Removes ephemeral containers whose owning program is gone, after saving their agent state, and
   * rescues live state directories that no container and no live program holds.
   */
  private List<String> sweep(
      ContainerBackend containers, SessionStore store, Path stateRoot, Optional<Path> workspace) {
    List<String> removed = new ArrayList<>();
    Set<String> held = new HashSet<>();
    for (ContainerInfo container : containers.list()) {
      Optional.ofNullable(container.labels().get("state")).ifPresent(held::add);
      boolean inScope =
          workspace.isEmpty()
              || workspace.get().toString().equals(container.labels().get("workspace"));
      if (inScope && abandoned(container)) {
        try {
          retire(containers, store, container);
          removed.add(container.name());
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.DEBUG, "cannot sweep " + container.name(), e);
        }
      }
    }
    for (Path live : AgentState.all(stateRoot)) {
      if (!held.contains(live.toString()) && !Owners.alive(AgentState.ownerOf(live))) {
        rescue(store, live, Optional.empty());
      }
    }
    return removed;
  }

  /**
   * An ephemeral container nobody will end: its owner is gone, or it is stopped (Incus deletes
   * ephemeral instances when they stop, so a stopped one labelled ephemeral is a leftover, for
   * instance of an older coi).
   */
  private static boolean abandoned(ContainerInfo container) {
    boolean ephemeral = container.ephemeral() || "ephemeral".equals(container.labels().get("mode"));
    return ephemeral
        && container.labels().containsKey("session")
        && (container.status() == ContainerStatus.STOPPED || !Owners.alive(container));
  }

  /** Saves a container's agent state if it has any, then deletes it and its live directory. */
  private void retire(ContainerBackend containers, SessionStore store, ContainerInfo container) {
    Optional<SessionInfo> info = describe(container);
    Optional<Path> live = Optional.ofNullable(container.labels().get("state")).map(Path::of);
    containers.delete(container.name());
    live.ifPresent(dir -> rescue(store, dir, info));
  }

  /** Saves an orphaned live state directory (when it holds anything), then deletes it. */
  private void rescue(SessionStore store, Path live, Optional<SessionInfo> known) {
    if (AgentState.hasAgentState(live, Set.of(AgentState.CREDENTIALS, AgentState.SETTINGS))) {
      String id = live.getParent().getFileName().toString();
      SessionInfo info =
          known.orElseGet(
              () ->
                  SessionInfo.builder()
                      .id(id)
                      .container("none")
                      .workspace(AgentState.workspaceOf(live).orElse(Path.of("/")))
                      .slot(0)
                      .persistent(false)
                      .state(SessionState.SAVED)
                      .created(clock.instant())
                      .build());
      store.save(SessionInfo.builder().from(info).saved(clock.instant()).build(), live);
    }
    AgentState.delete(live);
  }
}
