package dev.coi.core.internal;

import dev.coi.api.CoiException;
import dev.coi.api.ExecResult;
import dev.coi.api.InvalidSpecException;
import dev.coi.api.NotFoundException;
import dev.coi.api.SessionInfo;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerStatus;
import dev.coi.api.spi.ExecSpec;
import dev.coi.api.spi.SessionStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a program may do to a session another program started, by its container's name: kill it,
 * shut it down, keep it, run a command in it. Only containers coi made (a {@code session} label)
 * are ever touched; every other name is refused as unknown.
 */
final class ContainerCommands {
  /** Beside a live state directory (never inside, which the container writes): keep it. */
  static final String KEPT_MARKER = "kept";

  private final ContainerBackend containers;
  private final SessionStore store;
  private final Path stateRoot;
  private final SessionCatalog catalog;

  ContainerCommands(
      ContainerBackend containers, SessionStore store, Path stateRoot, SessionCatalog catalog) {
    this.containers = containers;
    this.store = store;
    this.stateRoot = stateRoot;
    this.catalog = catalog;
  }

  /** The container of that name if coi made it; otherwise a {@link NotFoundException}. */
  ContainerInfo coiContainer(String name) {
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9-]{0,62}")) {
      throw new InvalidSpecException(
          "'" + name + "' is not a container name: give one from 'coi list'");
    }
    Optional<ContainerInfo> found = containers.find(name);
    if (found.isEmpty()) {
      throw new NotFoundException("no container " + name + ": see 'coi list --all'");
    }
    if (!ContainerLabel.SESSION.isOn(found.get().labels())) {
      throw new NotFoundException(
          "container " + name + " is not coi's: coi touches only the containers it made");
    }
    return found.get();
  }

  /** Deletes it now; its state is saved here when no live program holds it. */
  void kill(String name) {
    ContainerInfo container = coiContainer(name);
    endAndSave(container, () -> containers.delete(name));
  }

  /** Asks it to shut down, forces it after the timeout, then deletes it, its state saved. */
  void shutdown(String name, Duration timeout) {
    if (timeout.isNegative()) {
      throw new InvalidSpecException("timeout " + timeout + " is negative: give 0 or more seconds");
    }
    ContainerInfo container = coiContainer(name);
    endAndSave(
        container,
        () -> {
          if (container.status() == ContainerStatus.RUNNING) {
            containers.shutdown(name, timeout);
          }
          containers.delete(name);
        });
  }

  /**
   * Runs {@code end}, then saves and removes the live state when the program that held the
   * container is gone; a live owner sees its container vanish and saves the state itself (doing it
   * here too would race with it).
   */
  private void endAndSave(ContainerInfo container, Runnable end) {
    Optional<Path> live = AgentState.liveDirectoryOf(container.labels(), stateRoot);
    boolean ownerAlive = Owners.alive(container);
    end.run();
    if (!ownerAlive && live.isPresent() && Files.isDirectory(live.get())) {
      catalog.rescue(store, live.get(), SessionCatalog.describe(container));
    }
  }

  /**
   * Keeps an ephemeral container: the backend no longer deletes it when it stops, its label says
   * persistent, and the marker beside its state tells its owning session to stop it rather than
   * delete it.
   */
  SessionInfo persist(String name) {
    ContainerInfo container = coiContainer(name);
    if (!ContainerLabel.isPersistent(container.labels()) || container.ephemeral()) {
      Optional<Path> live = AgentState.liveDirectoryOf(container.labels(), stateRoot);
      if (live.isPresent()) {
        try {
          Files.write(live.get().resolveSibling(KEPT_MARKER), new byte[0]);
        } catch (IOException e) {
          throw new CoiException(
              "cannot mark " + name + " as kept in " + live.get().getParent() + ": " + e, e);
        }
      }
      containers.keep(name);
      containers.updateLabels(name, ContainerLabel.MODE.of(ContainerLabel.PERSISTENT));
    }
    return SessionCatalog.describe(coiContainer(name)).orElseThrow();
  }

  /** Whether a session's container was kept by {@link #persist} after the session started. */
  static boolean keptLater(Path liveDirectory) {
    return Files.exists(liveDirectory.resolveSibling(KEPT_MARKER));
  }

  /** A command to its end as the agent user in {@code /workspace}. */
  ExecResult run(String name, List<String> command, Map<String, String> environment) {
    return containers.exec(name, asAgent(name, command, environment, Optional.empty()));
  }

  /** As {@link #run}, on a pseudo-terminal, with its streams live; nothing is taken over. */
  dev.coi.api.RunningCommand exec(
      String name,
      List<String> command,
      Map<String, String> environment,
      dev.coi.api.TerminalSize terminal) {
    ExecSpec exec = asAgent(name, command, environment, Optional.of(terminal));
    return ExecFailures.explainingFailure(containers, name, () -> containers.start(name, exec));
  }

  private ExecSpec asAgent(
      String name,
      List<String> command,
      Map<String, String> environment,
      Optional<dev.coi.api.TerminalSize> terminal) {
    ContainerInfo container = coiContainer(name);
    if (container.status() != ContainerStatus.RUNNING) {
      throw new dev.coi.api.ConflictException(
          "container " + name + " is not running: start a session on it first");
    }
    if (command.isEmpty()) {
      throw new InvalidSpecException("the command is empty: give a program to run");
    }
    return ExecSpec.builder()
        .command(command)
        .uid(ContainerSession.AGENT_UID)
        .gid(ContainerSession.AGENT_GID)
        .cwd(ContainerSession.WORKSPACE_TARGET)
        .environment(environment)
        .terminal(terminal)
        .build();
  }
}
