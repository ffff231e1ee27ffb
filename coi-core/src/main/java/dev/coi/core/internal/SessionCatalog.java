package dev.coi.core.internal;

import dev.coi.api.ConflictException;
import dev.coi.api.NetworkMode;
import dev.coi.api.NetworkStatus;
import dev.coi.api.SessionInfo;
import dev.coi.api.SessionNotFoundException;
import dev.coi.api.SessionState;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerStatus;
import dev.coi.api.spi.SessionStore;
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
import java.util.function.Predicate;

/**
 * The sessions there are, as the containers' labels and the store tell them: listed, looked up,
 * removed, and swept when their owner is gone. The read side of {@link DefaultSessionEngine}.
 */
final class SessionCatalog {
  private static final System.Logger LOG = System.getLogger(SessionCatalog.class.getName());

  /** What coi itself puts in a state directory: not the agent's state. */
  private static final Set<String> SEEDED = Set.of(AgentState.CREDENTIALS, AgentState.SETTINGS);

  private final Clock clock;

  SessionCatalog(Clock clock) {
    this.clock = clock;
  }

  /**
   * Live and kept containers, then saved sessions that have none, newest first; a live session that
   * was saved too shows when.
   */
  List<SessionInfo> list(ContainerBackend containers, SessionStore store) {
    List<SessionInfo> all = new ArrayList<>();
    Set<String> live = new HashSet<>();
    for (ContainerInfo container : containers.list()) {
      describe(container)
          .map(info -> withAllowlist(containers, info))
          .ifPresent(
              info -> {
                all.add(info);
                live.add(info.id());
              });
    }
    Map<String, SessionInfo> saved = new HashMap<>();
    for (SessionInfo info : store.list()) {
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

  /**
   * The session with its allowlist's current addresses, asked of the backend only for the sessions
   * whose container is filtered by one.
   */
  static SessionInfo withAllowlist(ContainerBackend containers, SessionInfo info) {
    if (info.network().filter(n -> n.effective() == NetworkMode.ALLOWLIST).isEmpty()) {
      return info;
    }
    NetworkStatus network =
        NetworkStatus.builder()
            .from(info.network().get())
            .addresses(containers.allowlist(info.container()))
            .build();
    return SessionInfo.builder().from(info).network(network).build();
  }

  /** The most recently saved session of a workspace. */
  static Optional<SessionInfo> latestSaved(SessionStore store, Path workspace) {
    return store.list().stream().filter(s -> s.workspace().equals(workspace)).findFirst();
  }

  /** A coi container as a session; empty for containers coi's engine did not make. */
  static Optional<SessionInfo> describe(ContainerInfo container) {
    Map<String, String> labels = container.labels();
    if (!ContainerLabel.SESSION.isOn(labels) || !ContainerLabel.WORKSPACE.isOn(labels)) {
      return Optional.empty();
    }
    SessionInfo.Builder info =
        SessionInfo.builder()
            .id(ContainerLabel.SESSION.in(labels).orElseThrow())
            .container(container.name())
            .workspace(Path.of(ContainerLabel.WORKSPACE.in(labels).orElseThrow()))
            .slot(parseSlot(ContainerLabel.SLOT.in(labels).orElse(null)))
            .persistent(ContainerLabel.isPersistent(labels))
            .state(
                container.status() == ContainerStatus.RUNNING
                    ? SessionState.RUNNING
                    : SessionState.STOPPED)
            .created(
                ContainerLabel.CREATED
                    .in(labels)
                    .flatMap(SessionCatalog::parseInstant)
                    .orElse(Instant.EPOCH))
            .resumedFrom(ContainerLabel.RESUMED_FROM.in(labels))
            .network(ContainerLabel.network(labels))
            .putAllLabels(ContainerLabel.callerLabels(labels));
    return Optional.of(info.build());
  }

  private static int parseSlot(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException unknown) {
      return 0;
    }
  }

  static Optional<Instant> parseInstant(String text) {
    try {
      return Optional.ofNullable(text).map(Instant::parse);
    } catch (RuntimeException unreadable) {
      return Optional.empty();
    }
  }

  /**
   * Removes a stopped container (its state saved first) or a saved session; never a running one.
   */
  void remove(
      ContainerBackend containers, SessionStore store, Path stateRoot, SessionInfo session) {
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
    retire(containers, store, stateRoot, container.get());
  }

  /**
   * Cleans up after programs that are gone: removes their ephemeral containers and shuts down their
   * running kept ones, saving the agent state of each first, and rescues live state directories of
   * this backend's daemon that no container and no live program holds (those of another daemon
   * sharing the sessions directory are that daemon's to judge). Returns the names of the containers
   * removed or stopped.
   */
  List<String> sweep(
      ContainerBackend containers, SessionStore store, Path stateRoot, Optional<Path> workspace) {
    return sweep(containers, store, stateRoot, workspace, session -> true);
  }

  /** The same, limited to the containers whose session {@code which} accepts. */
  List<String> sweep(
      ContainerBackend containers,
      SessionStore store,
      Path stateRoot,
      Optional<Path> workspace,
      Predicate<SessionInfo> which) {
    List<String> swept = new ArrayList<>();
    Set<Path> held = new HashSet<>();
    Set<String> stopping = null; // asked of the backend once, and only if anything is abandoned
    for (ContainerInfo container : containers.list()) {
      AgentState.liveDirectoryOf(container.labels(), stateRoot).ifPresent(held::add);
      boolean inScope =
          workspace.isEmpty()
              || ContainerLabel.WORKSPACE
                  .in(container.labels())
                  .filter(workspace.get().toString()::equals)
                  .isPresent();
      if (!inScope
          || !ContainerLabel.SESSION.isOn(container.labels())
          || !describe(container).map(which::test).orElse(true)) {
        continue;
      }
      try {
        if (abandoned(container)) {
          if (stopping == null) {
            stopping = stoppingOrNone(containers);
          }
          if (leftToStop(container, stopping, stateRoot)) {
            continue;
          }
          retire(containers, store, stateRoot, container);
          swept.add(container.name());
        } else if (keptButOrphaned(container)) {
          containers.shutdown(container.name(), ContainerSession.SHUTDOWN_TIMEOUT);
          AgentState.liveDirectoryOf(container.labels(), stateRoot)
              .ifPresent(live -> save(store, live, describe(container)));
          swept.add(container.name());
        }
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, "cannot sweep " + container.name(), e);
      }
    }
    if (workspace.isEmpty()) {
      try {
        containers.sweep(); // what the backend made for containers now gone (network ACLs)
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, "cannot sweep the backend's leftovers", e);
      }
    }
    String daemon = containers.identity();
    for (Path live : AgentState.all(stateRoot)) {
      if (!held.contains(live)
          && AgentState.onDaemon(live, daemon)
          && !Owners.alive(AgentState.ownerOf(live))) {
        try {
          rescue(store, live, Optional.empty());
        } catch (RuntimeException e) {
          // Another process may be rescuing it right now; the next sweep tries again.
          LOG.log(System.Logger.Level.DEBUG, "cannot rescue " + live, e);
        }
      }
    }
    return swept;
  }

  /**
   * An ephemeral container nobody will end: its owner is gone. Stopped alone is no sign: an
   * instance being created is stopped until its start, and another process may be creating it.
   */
  private static boolean abandoned(ContainerInfo container) {
    boolean ephemeral = container.ephemeral() || ContainerLabel.isEphemeral(container.labels());
    return ephemeral && !Owners.alive(container);
  }

  /**
   * An abandoned container whose stop its program asked for as it ended, with no agent state to
   * save (a program that had some waited for the stop itself): it vanishes by itself, and waiting
   * for that would only delay this program (about 0.3 s after each {@code coi run}, for the next).
   * Its slot stays taken until then; its empty state directory goes with a later sweep.
   */
  private static boolean leftToStop(ContainerInfo container, Set<String> stopping, Path stateRoot) {
    return stopping.contains(container.name())
        && AgentState.liveDirectoryOf(container.labels(), stateRoot)
            .map(live -> !AgentState.hasAgentState(live, SEEDED))
            .orElse(true);
  }

  /** The backend's stops under way; none when it cannot say, so the sweep waits as before. */
  private static Set<String> stoppingOrNone(ContainerBackend containers) {
    try {
      return containers.stopping();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "cannot list the stops under way", e);
      return Set.of();
    }
  }

  /** A kept container still running for a program that is gone (killed before it could stop it). */
  private static boolean keptButOrphaned(ContainerInfo container) {
    return ContainerLabel.isPersistent(container.labels())
        && container.status() == ContainerStatus.RUNNING
        && !Owners.alive(container);
  }

  /** Deletes a container, then saves its agent state if it has any and deletes that too. */
  private void retire(
      ContainerBackend containers, SessionStore store, Path stateRoot, ContainerInfo container) {
    Optional<SessionInfo> info = describe(container);
    Optional<Path> live = AgentState.liveDirectoryOf(container.labels(), stateRoot);
    containers.delete(container.name());
    live.ifPresent(dir -> rescue(store, dir, info));
  }

  /** Saves an orphaned live state directory (when it holds anything), then deletes it. */
  void rescue(SessionStore store, Path live, Optional<SessionInfo> known) {
    save(store, live, known);
    AgentState.delete(live);
  }

  /** Saves a live state directory that holds anything the agent wrote. */
  private void save(SessionStore store, Path live, Optional<SessionInfo> known) {
    if (!AgentState.hasAgentState(live, SEEDED)) {
      return;
    }
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
}
