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
 * its workspace, chooses the backend, the image and a free slot, and creates the container with its
 * mounts and labels in one step. Found by {@link dev.coi.api.Sessions} through {@link
 * java.util.ServiceLoader}.
 */
public final class DefaultSessionEngine implements SessionEngine {
  private final Function<Map<String, String>, ContainerBackend> backendFactory;
  private final ConfigLoader configLoader;
  private final Clock clock;

  /** One backend per distinct settings: a project file may point at another daemon. */
  private final Map<Map<String, String>, ContainerBackend> backends = new HashMap<>();

  /**
   * The engine of the running JVM: backends from the class path, configuration from the usual files
   * and the process environment.
   */
  public DefaultSessionEngine() {
    this(Backends::discover, ConfigLoader.standard(), Clock.systemUTC());
  }

  DefaultSessionEngine(
      Function<Map<String, String>, ContainerBackend> backendFactory,
      ConfigLoader configLoader,
      Clock clock) {
    this.backendFactory = backendFactory;
    this.configLoader = configLoader;
    this.clock = clock;
  }

  private synchronized ContainerBackend backend(Config config) {
    return backends.computeIfAbsent(Backends.settings(config.incus()), backendFactory);
  }

  @Override
  public Session start(SessionSpec spec) {
    Path workspace = Workspaces.resolve(spec.workspace(), configLoader.home());
    Config config = configLoader.load(spec.toBuilder().workspace(workspace).build());
    boolean persistent = config.defaults().persistent();
    int slots = config.defaults().slots();
    if (spec.slot() > slots) {
      throw new InvalidSpecException(
          "slot " + spec.slot() + " is out of range: a workspace has slots 1 to " + slots);
    }
    List<Mount> extraMounts = ExtraMounts.checked(config);
    ContainerBackend containers = backend(config);
    ContainerSpec.Builder template =
        ContainerSpec.builder()
            .image(config.defaults().image())
            .ephemeral(!persistent)
            .addMounts(Mount.of(workspace, ContainerSession.WORKSPACE_TARGET))
            .addAllMounts(extraMounts)
            .putLabels("session", UUID.randomUUID().toString())
            .putLabels("workspace", workspace.toString())
            .putLabels("mode", persistent ? "persistent" : "ephemeral")
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
    String prefix = config.defaults().containerPrefix();
    int slot = claimSlot(containers, spec.slot(), persistent, slots, prefix, workspace, template);
    String name = ContainerNames.of(prefix, workspace, slot);
    return new ContainerSession(
        containers,
        name,
        workspace,
        slot,
        persistent,
        spec.awaitCleanup(),
        SessionEnvironment.of(configLoader.environment(), config.environment()));
  }

  /**
   * Takes a slot by creating its container: the daemon refuses a second container of the same name,
   * so two processes racing for a slot cannot both win. A persistent session first reuses its
   * stopped container.
   */
  private int claimSlot(
      ContainerBackend containers,
      int wanted,
      boolean persistent,
      int slots,
      String prefix,
      Path workspace,
      ContainerSpec.Builder template) {
    if (wanted > 0) {
      String name = ContainerNames.of(prefix, workspace, wanted);
      if (persistent && reuseStopped(containers, name)) {
        return wanted;
      }
      ContainerSpec container = template.name(name).putLabels("slot", "" + wanted).build();
      try {
        containers.create(container);
        return wanted;
      } catch (ConflictException busy) {
        // A closed session's container may still be on its way out: then take the slot over.
        if (freeIfAbandoned(containers, name)) {
          try {
            containers.create(container);
            return wanted;
          } catch (ConflictException takenMeanwhile) {
            // Another process was quicker; report the slot as busy.
          }
        }
        throw new ConflictException(
            "slot "
                + wanted
                + " of workspace "
                + workspace
                + " is busy (container "
                + name
                + " exists): choose another slot or leave the slot out to take a free one");
      }
    }
    if (persistent) {
      for (int slot = 1; slot <= slots; slot++) {
        if (reuseStopped(containers, ContainerNames.of(prefix, workspace, slot))) {
          return slot;
        }
      }
    }
    for (int slot = 1; slot <= slots; slot++) {
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
            + slots
            + " slots of workspace "
            + workspace
            + " are busy: close a session, or remove kept containers of this workspace");
  }

  /**
   * Frees the named slot if its container is gone by now or is abandoned: ephemeral, and the
   * process that made it on this host is gone (a session that ended without waiting, or whose JVM
   * was killed); such a container is removed. True when the slot is free.
   */
  private static boolean freeIfAbandoned(ContainerBackend containers, String name) {
    Optional<ContainerInfo> existing = containers.find(name);
    if (existing.isEmpty()) {
      // Its stop finished between our create and this look.
      return true;
    }
    if (!existing.get().ephemeral() || ownerAlive(existing.get())) {
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
}
