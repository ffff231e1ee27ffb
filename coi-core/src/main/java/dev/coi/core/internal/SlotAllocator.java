package dev.coi.core.internal;

import dev.coi.api.CoiException;
import dev.coi.api.ConflictException;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.ContainerStatus;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Takes a slot of a workspace for a new session. Choosing is serialised per workspace among this
 * user's coi processes (and threads) by {@link SlotReservations}: under its lock, one look at the
 * existing containers and at the slots others are creating right now gives the lowest free slot,
 * which is reserved; the container is then created outside the lock, so that sessions start in
 * parallel. The daemon stays the final arbiter: it refuses a second container of one name (a
 * process with another sessions directory, another host), and such a slot is passed over. A
 * persistent session first reuses a stopped container of its own.
 */
final class SlotAllocator {

  /** The slot taken; {@code reused} is the stopped persistent container started again, if any. */
  record Claim(int slot, String name, Optional<ContainerInfo> reused) {}

  /** A slot chosen under the lock, reserved until its container exists. */
  private record Choice(
      int slot, String name, Optional<ContainerInfo> stopped, SlotReservations.Reservation held) {}

  Claim claim(
      ContainerBackend containers,
      Path sessionsDir,
      int wanted,
      boolean persistent,
      int slots,
      String prefix,
      Path workspace,
      ContainerSpec.Builder template) {
    SlotReservations reservations = new SlotReservations(sessionsDir, workspace);
    if (wanted > 0) {
      String name = ContainerNames.of(prefix, workspace, wanted);
      // Reserved so that processes choosing a slot meanwhile pass it over; the daemon decides.
      try (SlotReservations.Reservation held =
          reservations.whileLocked(
              ledger -> {
                if (ledger.names().contains(name)) {
                  // Another live process is creating or starting it right now.
                  throw busy(wanted, workspace, name);
                }
                return ledger.add(name);
              })) {
        return claimExplicit(containers, wanted, name, persistent, workspace, template);
      }
    }
    Set<String> refused = new HashSet<>();
    while (true) {
      Optional<Choice> choice =
          reservations.whileLocked(
              ledger -> choose(containers, ledger, refused, persistent, slots, prefix, workspace));
      if (choice.isEmpty()) {
        throw new ConflictException(
            "all "
                + slots
                + " slots of workspace "
                + workspace
                + " are busy: close a session, or remove kept containers of this workspace");
      }
      Choice chosen = choice.get();
      try (SlotReservations.Reservation held = chosen.held()) {
        if (chosen.stopped().isPresent()) {
          if (startKept(containers, chosen.name())) {
            return new Claim(chosen.slot(), chosen.name(), chosen.stopped());
          }
        } else {
          try {
            containers.create(
                template
                    .name(chosen.name())
                    .putAllLabels(ContainerLabel.SLOT.of("" + chosen.slot()))
                    .build());
            return new Claim(chosen.slot(), chosen.name(), Optional.empty());
          } catch (ConflictException busy) {
            // Taken by a process that does not share our reservations: try the next slot.
          }
        }
      }
      refused.add(chosen.name());
    }
  }

  /**
   * The lowest slot to take, reserved: a persistent session's stopped container first, else a slot
   * without a container; neither reserved by a live process nor refused by the daemon before.
   */
  private static Optional<Choice> choose(
      ContainerBackend containers,
      SlotReservations.Ledger ledger,
      Set<String> refused,
      boolean persistent,
      int slots,
      String prefix,
      Path workspace) {
    Map<String, ContainerInfo> existing = new HashMap<>();
    containers.list().forEach(c -> existing.put(c.name(), c));
    Set<String> reserved = ledger.names();
    if (persistent) {
      for (int slot = 1; slot <= slots; slot++) {
        String name = ContainerNames.of(prefix, workspace, slot);
        ContainerInfo kept = existing.get(name);
        if (kept != null
            && isKeptAndStopped(kept)
            && !reserved.contains(name)
            && !refused.contains(name)) {
          return Optional.of(new Choice(slot, name, Optional.of(kept), ledger.add(name)));
        }
      }
    }
    for (int slot = 1; slot <= slots; slot++) {
      String name = ContainerNames.of(prefix, workspace, slot);
      if (!existing.containsKey(name) && !reserved.contains(name) && !refused.contains(name)) {
        return Optional.of(new Choice(slot, name, Optional.empty(), ledger.add(name)));
      }
    }
    return Optional.empty();
  }

  private static Claim claimExplicit(
      ContainerBackend containers,
      int wanted,
      String name,
      boolean persistent,
      Path workspace,
      ContainerSpec.Builder template) {
    Optional<ContainerInfo> kept = persistent ? keptAndStopped(containers, name) : Optional.empty();
    if (kept.isPresent()) {
      if (!startKept(containers, name)) {
        throw busy(wanted, workspace, name);
      }
      return new Claim(wanted, name, kept);
    }
    ContainerSpec container =
        template.name(name).putAllLabels(ContainerLabel.SLOT.of("" + wanted)).build();
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
      throw busy(wanted, workspace, name);
    }
  }

  private static ConflictException busy(int slot, Path workspace, String name) {
    return new ConflictException(
        "slot "
            + slot
            + " of workspace "
            + workspace
            + " is busy (container "
            + name
            + " exists): choose another slot or leave the slot out to take a free one");
  }

  /**
   * Starts a kept container chosen under the lock; false when it runs already because a process
   * that does not share our reservations started it first.
   */
  private static boolean startKept(ContainerBackend containers, String name) {
    try {
      containers.start(name);
      return true;
    } catch (CoiException e) {
      Optional<ContainerInfo> now = containers.find(name);
      if (now.isPresent() && now.get().status() == ContainerStatus.RUNNING) {
        return false;
      }
      throw e;
    }
  }

  private static boolean isKeptAndStopped(ContainerInfo container) {
    return container.status() == ContainerStatus.STOPPED
        && ContainerLabel.isPersistent(container.labels());
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

  /** The named persistent container, if it exists and is stopped. */
  private static Optional<ContainerInfo> keptAndStopped(ContainerBackend containers, String name) {
    return containers.find(name).filter(SlotAllocator::isKeptAndStopped);
  }
}
