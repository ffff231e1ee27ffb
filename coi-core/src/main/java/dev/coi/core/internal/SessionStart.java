package dev.coi.core.internal;

import dev.coi.api.InvalidSpecException;
import dev.coi.api.Mount;
import dev.coi.api.SessionInfo;
import dev.coi.api.SessionSpec;
import dev.coi.api.SessionState;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.IdMap;
import dev.coi.api.spi.SessionStore;
import dev.coi.core.config.Config;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One session's start after its {@link Plan} (everything checked, nothing made): the steps that
 * make it, in order, each with its undo, run by {@link StartSteps}.
 *
 * <ol>
 *   <li><b>stage</b>: the session's live state directory. Undo: delete it (only this fresh one,
 *       never a kept container's).
 *   <li><b>protect</b>: the placeholders of the protected paths, recorded as used by this session.
 *       Undo: leave them (recorded as a kept container's if one was claimed for a persistent
 *       session), removing those no one uses any more.
 *   <li><b>create</b>: claims a slot by creating its container (or restarting the kept one), both
 *       under the slot's lock in {@link SlotAllocator}, so claim and create are one step. Undo:
 *       delete a fresh container; stop a kept one again.
 *   <li><b>attach</b>: adopts a kept container's session and state directory, and makes the {@link
 *       ContainerSession}. The container runs once create returns; a command that meets it stopped
 *       or gone says so ({@link ExecFailures}). Undo: none of its own; from here the session owns
 *       what the steps made, and undoing the start is closing it.
 *   <li><b>seed</b>: restores a resumed session's state, gives the agent the host's credentials and
 *       profile (or takes them away) and the git identity. Undo: close the session, as any session
 *       ends.
 * </ol>
 *
 * A shutdown of the JVM meanwhile is undone by the {@link StartGuard} instead.
 */
final class SessionStart {
  private static final System.Logger LOG = System.getLogger(SessionStart.class.getName());

  /** What the engine decided before anything is made. */
  record Plan(
      SessionSpec spec,
      Config config,
      List<Mount> mounts,
      Map<String, String> environment,
      ContainerBackend containers,
      SessionStore store,
      Optional<SessionInfo> resumed,
      Workspaces.Owner owner,
      AgentState state,
      Path stateRoot,
      Path home,
      String id,
      Instant created) {
    Path workspace() {
      return spec.workspace();
    }
  }

  private final Plan plan;
  private final SlotAllocator slots;
  private final StartGuard guard;
  private final Clock clock;
  private final PlaceholderRegistry placeholders;
  private final StartSteps steps = new StartSteps();
  private final Set<String> seeded = new HashSet<>();

  // Made by the steps, in this order.
  private Path freshLive;
  private Path live;
  private ProtectedPaths.Plan protection;
  private SlotAllocator.Claim claim;
  private ContainerSession session;

  SessionStart(Plan plan, SlotAllocator slots, StartGuard guard, Clock clock) {
    this.plan = plan;
    this.slots = slots;
    this.guard = guard;
    this.clock = clock;
    this.placeholders =
        new PlaceholderRegistry(plan.config().paths().sessionsDir(), plan.workspace());
  }

  /** Runs the steps; on a failure, undoes those done and throws. */
  ContainerSession run() {
    try {
      steps.run(this::stage, this::unstage);
      reached("staged");
      steps.run(this::protect, this::unprotect);
      reached("protected");
      steps.run(this::create, this::uncreate);
      reached("created " + claim.name());
      attach();
      steps.handOver(session::close);
      seed();
      reached("seeded");
      return session;
    } catch (RuntimeException e) {
      throw steps.undo(e);
    }
  }

  /** A step done, for {@code coi --debug}'s timeline. */
  private static void reached(String step) {
    LOG.log(System.Logger.Level.DEBUG, "session start: " + step);
  }

  private void stage() {
    guard.backend(plan.containers());
    freshLive = plan.state().create(plan.id(), plan.workspace(), plan.containers().identity());
    live = freshLive;
    guard.live(freshLive);
  }

  private void unstage() {
    AgentState.delete(freshLive);
  }

  private void protect() {
    protection =
        placeholders.enter(plan.id(), plan.config().security().allProtectedPaths(), plan.owner());
  }

  private void unprotect() {
    placeholders.leave(plan.id(), plan.containers(), keptName());
  }

  /** A kept container mounts the placeholders again when it restarts: they stay while it exists. */
  private String keptName() {
    return claim != null && persistent() ? claim.name() : null;
  }

  private void create() {
    TestPauses.reach(TestPauses.BEFORE_CREATE);
    Config config = plan.config();
    ContainerSpec.Builder template = template().addAllMounts(protection.mounts());
    claim =
        guard.creating(
            () ->
                slots.claim(
                    plan.containers(),
                    config.paths().sessionsDir(),
                    plan.spec().slot(),
                    persistent(),
                    config.defaults().slots(),
                    config.defaults().containerPrefix(),
                    plan.workspace(),
                    template));
  }

  private void uncreate() {
    if (fresh()) {
      plan.containers().delete(claim.name());
    } else {
      plan.containers().shutdown(claim.name(), ContainerSession.SHUTDOWN_TIMEOUT);
    }
  }

  private void attach() {
    guard.container(claim.name(), fresh());
    TestPauses.reach(TestPauses.AFTER_CREATE);
    ContainerBackend containers = plan.containers();
    Optional<SessionInfo> resumed = plan.resumed();
    SessionInfo.Builder description =
        SessionInfo.builder()
            .id(plan.id())
            .container(claim.name())
            .workspace(plan.workspace())
            .slot(claim.slot())
            .persistent(persistent())
            .state(SessionState.RUNNING)
            .created(plan.created())
            .resumedFrom(resumed.map(SessionInfo::id))
            .labels(plan.spec().labels());
    if (!fresh()) {
      // A kept container goes on as the session it was, with its own state directory, now
      // owned by this program.
      ContainerInfo kept = claim.reused().get();
      String keptId = ContainerLabel.SESSION.in(kept.labels()).orElse(plan.id());
      checkResumable(plan.spec(), resumed, claim.name(), keptId);
      Optional<Path> keptLive = AgentState.liveDirectoryOf(kept.labels(), plan.stateRoot());
      if (keptLive.isPresent()) {
        AgentState.delete(freshLive);
        live = keptLive.get();
        plan.state().recreate(live);
      }
      description.id(keptId);
      // Resuming a kept container goes on with its own session and state.
      description.resumedFrom(resumed.map(r -> keptId));
      description.created(
          ContainerLabel.CREATED
              .in(kept.labels())
              .flatMap(SessionCatalog::parseInstant)
              .orElse(plan.created()));
      containers.updateLabels(claim.name(), Owners.ofThisProcess());
    }
    String keptName = keptName();
    // Kept up by this program while the session is open (an allowlist's addresses).
    dev.coi.api.spi.ContainerHold hold = containers.hold(claim.name());
    ContainerSession.Parts parts =
        new ContainerSession.Parts(
            containers,
            plan.store(),
            description.build(),
            plan.spec().awaitCleanup(),
            plan.environment(),
            live,
            seeded,
            agentCommand(plan.spec(), plan.config(), resumed.isPresent()),
            clock,
            () -> placeholders.leave(plan.id(), containers, keptName),
            hold);
    session = guard.handOver(() -> new ContainerSession(parts));
  }

  private void seed() {
    Config config = plan.config();
    Optional<SessionInfo> resumed = plan.resumed();
    boolean hostConfig =
        plan.spec().mountClaudeConfig().orElse(config.defaults().mountClaudeConfig());
    if (!fresh()) {
      // Its state is its own (never replaced by a saved copy); its credentials are the host's
      // current ones, which may have been rotated since it last ran.
      if (hostConfig) {
        seeded.addAll(plan.state().refreshCredentials(live, plan.home()));
      } else {
        AgentState.forgetCredentials(live);
      }
      return;
    }
    if (resumed.isPresent()) {
      plan.store().restore(resumed.get().id(), live);
      plan.state().chownTree(live);
      if (!hostConfig) {
        // Nothing of the host's home, not even the credentials saved with the session.
        AgentState.forgetCredentials(live);
      }
    }
    if (hostConfig) {
      seeded.addAll(plan.state().seed(live, plan.home()));
      AgentState.profile(plan.home())
          .ifPresent(profile -> pushToHome(".claude.json", profile, 0600));
    }
    if (SessionImages.privileged(plan.spec(), config)) {
      GitIdentity.gitconfig(plan.home()).ifPresent(git -> pushToHome(".gitconfig", git, 0644));
    }
  }

  private boolean persistent() {
    return plan.config().defaults().persistent();
  }

  private boolean fresh() {
    return claim.reused().isEmpty();
  }

  /** The container a new session asks for, all but its name: one request makes and starts it. */
  private ContainerSpec.Builder template() {
    SessionSpec spec = plan.spec();
    Config config = plan.config();
    Workspaces.Owner owner = plan.owner();
    ContainerSpec.Builder template =
        ContainerSpec.builder()
            .image(SessionImages.of(spec, config))
            .ephemeral(!persistent())
            .addAllMounts(plan.mounts())
            .addMounts(Mount.of(freshLive, SessionMounts.stateTarget(config)))
            .putAllLimits(ContainerLimits.of(spec, config))
            .network(SessionNetwork.of(spec, config))
            .putAllLabels(SessionNetwork.labels(SessionNetwork.of(spec, config), plan.containers()))
            .putAllLabels(
                ContainerLabel.ofNewSession(
                    plan.id(),
                    spec.workspace(),
                    persistent(),
                    plan.created(),
                    freshLive,
                    plan.resumed().map(SessionInfo::id),
                    spec.labels()));
    // The backend shifts the mounts of a uid-1000 owner, and maps any other owner (or all, where
    // it cannot shift) onto the agent user.
    return template.idMap(
        IdMap.of(owner.uid(), owner.gid(), ContainerSession.AGENT_UID, ContainerSession.AGENT_GID));
  }

  /** Writes a file in the agent's home, owned by the agent user. */
  private void pushToHome(String name, byte[] content, int mode) {
    plan.containers()
        .pushFile(
            claim.name(),
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
}
