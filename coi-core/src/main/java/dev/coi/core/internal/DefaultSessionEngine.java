package dev.coi.core.internal;

import dev.coi.api.ConflictException;
import dev.coi.api.InvalidSpecException;
import dev.coi.api.Mount;
import dev.coi.api.Session;
import dev.coi.api.SessionEngine;
import dev.coi.api.SessionSpec;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.ContainerStatus;
import dev.coi.api.spi.IdMap;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Turns a {@link SessionSpec} into a running session: checks the input, chooses the backend, the
 * image and a free slot, and creates the container with its mounts and labels in one step. Found by
 * {@link dev.coi.api.Sessions} through {@link java.util.ServiceLoader}.
 */
public final class DefaultSessionEngine implements SessionEngine {
  static final String DEFAULT_IMAGE = "coi-sandbox";
  static final int MAX_SLOTS = 10;
  static final String IMAGE_VARIABLE = "CLAUDE_ON_INCUS_IMAGE";
  static final String PREFIX_VARIABLE = "CLAUDE_ON_INCUS_CONTAINER_PREFIX";

  private final Supplier<ContainerBackend> backendSupplier;
  private final Map<String, String> hostEnv;
  private final Path userHome;
  private final Clock clock;
  private ContainerBackend backend;

  /** The engine of the running JVM: backends from the class path, the process environment. */
  public DefaultSessionEngine() {
    this(
        Backends::discover,
        System.getenv(),
        Path.of(System.getProperty("user.home")),
        Clock.systemUTC());
  }

  DefaultSessionEngine(
      Supplier<ContainerBackend> backendSupplier,
      Map<String, String> hostEnv,
      Path userHome,
      Clock clock) {
    this.backendSupplier = backendSupplier;
    this.hostEnv = Map.copyOf(hostEnv);
    this.userHome = userHome;
    this.clock = clock;
  }

  private synchronized ContainerBackend backend() {
    if (backend == null) {
      backend = backendSupplier.get();
    }
    return backend;
  }

  @Override
  public Session start(SessionSpec spec) {
    Path workspace = Workspaces.resolve(spec.workspace(), userHome);
    String image = spec.image().or(() -> fromEnv(IMAGE_VARIABLE)).orElse(DEFAULT_IMAGE);
    String prefix =
        spec.containerPrefix()
            .or(() -> fromEnv(PREFIX_VARIABLE))
            .orElse(ContainerNames.DEFAULT_PREFIX);
    if (spec.slot() > MAX_SLOTS) {
      throw new InvalidSpecException(
          "slot " + spec.slot() + " is out of range: a workspace has slots 1 to " + MAX_SLOTS);
    }
    ContainerBackend containers = backend();
    ContainerSpec.Builder template =
        ContainerSpec.builder()
            .image(image)
            .ephemeral(!spec.persistent())
            .addMounts(Mount.of(workspace, ContainerSession.WORKSPACE_TARGET))
            .putLabels("session", UUID.randomUUID().toString())
            .putLabels("workspace", workspace.toString())
            .putLabels("mode", spec.persistent() ? "persistent" : "ephemeral")
            .putLabels("user", System.getProperty("user.name", "unknown"))
            .putLabels("pid", Long.toString(ProcessHandle.current().pid()))
            .putLabels("created", clock.instant().toString());
    Workspaces.Owner owner = Workspaces.owner(workspace);
    if (owner.uid() != ContainerSession.AGENT_UID || owner.gid() != ContainerSession.AGENT_GID) {
      // Shifting maps host 1000 to container 1000; any other owner is mapped onto the agent user.
      template.idMap(
          IdMap.of(
              owner.uid(), owner.gid(), ContainerSession.AGENT_UID, ContainerSession.AGENT_GID));
    }
    int slot = claimSlot(containers, spec, prefix, workspace, template);
    String name = ContainerNames.of(prefix, workspace, slot);
    return new ContainerSession(
        containers,
        name,
        workspace,
        slot,
        spec.persistent(),
        spec.awaitCleanup(),
        SessionEnvironment.of(hostEnv, spec.environment()));
  }

  /**
   * Takes a slot by creating its container: the daemon refuses a second container of the same name,
   * so two processes racing for a slot cannot both win. A persistent session first reuses its
   * stopped container.
   */
  private int claimSlot(
      ContainerBackend containers,
      SessionSpec spec,
      String prefix,
      Path workspace,
      ContainerSpec.Builder template) {
    if (spec.slot() > 0) {
      String name = ContainerNames.of(prefix, workspace, spec.slot());
      if (spec.persistent() && reuseStopped(containers, name)) {
        return spec.slot();
      }
      ContainerSpec container = template.name(name).putLabels("slot", "" + spec.slot()).build();
      try {
        containers.create(container);
        return spec.slot();
      } catch (ConflictException busy) {
        // A closed session's container may still be on its way out: then take the slot over.
        if (removeAbandoned(containers, name)) {
          try {
            containers.create(container);
            return spec.slot();
          } catch (ConflictException takenMeanwhile) {
            // Another process was quicker; report the slot as busy.
          }
        }
        throw new ConflictException(
            "slot "
                + spec.slot()
                + " of workspace "
                + workspace
                + " is busy (container "
                + name
                + " exists): choose another slot or leave the slot out to take a free one");
      }
    }
    if (spec.persistent()) {
      for (int slot = 1; slot <= MAX_SLOTS; slot++) {
        if (reuseStopped(containers, ContainerNames.of(prefix, workspace, slot))) {
          return slot;
        }
      }
    }
    for (int slot = 1; slot <= MAX_SLOTS; slot++) {
      String name = ContainerNames.of(prefix, workspace, slot);
      try {
        containers.create(template.name(name).putLabels("slot", "" + slot).build());
        return slot;
      } catch (ConflictException busy) {
        // Taken by a running session or a kept container: try the next slot.
      }
    }
    throw new ConflictException(
        "all "
            + MAX_SLOTS
            + " slots of workspace "
            + workspace
            + " are busy: close a session, or remove kept containers of this workspace");
  }

  /**
   * Removes the named container if it is ephemeral and the process that made it on this host is
   * gone: what a session left when it ended without waiting, or when its JVM was killed.
   */
  private static boolean removeAbandoned(ContainerBackend containers, String name) {
    Optional<ContainerInfo> existing = containers.find(name);
    if (existing.isEmpty() || !existing.get().ephemeral() || ownerAlive(existing.get())) {
      return false;
    }
    containers.delete(name);
    return true;
  }

  private static boolean ownerAlive(ContainerInfo container) {
    try {
      long pid = Long.parseLong(container.labels().getOrDefault("pid", ""));
      return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    } catch (NumberFormatException noOwner) {
      // Not made by coi's engine: never treat it as abandoned.
      return true;
    }
  }

  /** Starts the named persistent container if it exists and is stopped. */
  private static boolean reuseStopped(ContainerBackend containers, String name) {
    Optional<ContainerInfo> existing = containers.find(name);
    if (existing.isEmpty()
        || existing.get().status() != ContainerStatus.STOPPED
        || !"persistent".equals(existing.get().labels().get("mode"))) {
      return false;
    }
    containers.start(name);
    return true;
  }

  private Optional<String> fromEnv(String variable) {
    return Optional.ofNullable(hostEnv.get(variable)).filter(v -> !v.isBlank());
  }
}
