package dev.coi.core.internal;

import dev.coi.api.ConflictException;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.ContainerStatus;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Takes a slot of a workspace for a new session by creating its container: the daemon refuses a
 * second container of the same name, so two processes racing for a slot cannot both win. A
 * persistent session first reuses its stopped container.
 */
final class SlotAllocator {

  /** The slot taken; {@code reused} is the stopped persistent container started again, if any. */
  record Claim(int slot, String name, Optional<ContainerInfo> reused) {}

  Claim claim(
      ContainerBackend containers,
      int wanted,
      boolean persistent,
      int slots,
      String prefix,
      Path workspace,
      ContainerSpec.Builder template) {
    if (wanted > 0) {
      String name = ContainerNames.of(prefix, workspace, wanted);
      Optional<ContainerInfo> reused =
          persistent ? reuseStopped(containers, name) : Optional.empty();
      if (reused.isPresent()) {
        return new Claim(wanted, name, reused);
      }
      ContainerSpec container = template.name(name).putLabels("slot", "" + wanted).build();
      try {
        containers.create(container);
        return new Claim(wanted, name, Optional.empty());
      } catch (ConflictException busy) {
        // A closed session's container may still be on its way out: then take the slot over.
        if (freeIfAbandoned(containers, name)) {
          try {
            containers.create(container);
            return new Claim(wanted, name, Optional.empty());
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
        String name = ContainerNames.of(prefix, workspace, slot);
        Optional<ContainerInfo> reused = reuseStopped(containers, name);
        if (reused.isPresent()) {
          return new Claim(slot, name, reused);
        }
      }
    }
    for (int slot = 1; slot <= slots; slot++) {
      String name = ContainerNames.of(prefix, workspace, slot);
      try {
        containers.create(template.name(name).putLabels("slot", "" + slot).build());
        return new Claim(slot, name, Optional.empty());
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
    if (!existing.get().ephemeral() || Owners.alive(existing.get())) {
      return false;
    }
    containers.delete(name);
    return true;
  }

  /** Starts the named persistent container if it exists and is stopped. */
  private static Optional<ContainerInfo> reuseStopped(ContainerBackend containers, String name) {
    Optional<ContainerInfo> existing = containers.find(name);
    if (existing.isEmpty()
        || existing.get().status() != ContainerStatus.STOPPED
        || !"persistent".equals(existing.get().labels().get("mode"))) {
      return Optional.empty();
    }
    containers.start(name);
    return existing;
  }
}
