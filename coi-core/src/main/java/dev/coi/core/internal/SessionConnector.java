package dev.coi.core.internal;

import dev.coi.api.Session;
import dev.coi.api.SessionInfo;
import dev.coi.api.SessionNotFoundException;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerStatus;
import dev.coi.api.spi.SessionStore;
import dev.coi.core.config.Config;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A running session taken over by this program ({@link dev.coi.api.Sessions#connect}): what its
 * container's labels say it is, ended as a session this program started would be. Only what coi's
 * engine made is taken: a container without a session label, or whose state label points outside
 * the sessions directory, is not a session.
 */
final class SessionConnector {
  private SessionConnector() {}

  static Session connect(
      String name,
      ContainerBackend containers,
      SessionStore store,
      Config config,
      Map<String, String> hostEnvironment,
      Clock clock) {
    ContainerInfo container =
        containers
            .find(name)
            .filter(c -> c.status() == ContainerStatus.RUNNING)
            .orElseThrow(() -> notRunning(name));
    SessionInfo description =
        SessionCatalog.describe(container).orElseThrow(() -> notRunning(name));
    Path live =
        AgentState.liveDirectoryOf(
                container.labels(), AgentState.root(config.paths().sessionsDir()))
            .orElseThrow(() -> notRunning(name));
    // From now on this program ends it, and a sweep after this program's death does.
    containers.updateLabels(name, Owners.ofThisProcess());
    String id = description.id();
    Path workspace = description.workspace();
    String kept = description.persistent() ? name : null;
    // Another program held it: its allowlist is refreshed at once, then kept up by this one.
    dev.coi.api.spi.ContainerHold hold = containers.hold(name);
    return new ContainerSession(
        new ContainerSession.Parts(
            containers,
            store,
            description,
            true,
            SessionEnvironment.of(hostEnvironment, config.environment()),
            live,
            // What coi itself put in the state directory, as the sweep counts it.
            Set.of(AgentState.CREDENTIALS, AgentState.SETTINGS),
            agentCommand(config),
            clock,
            () ->
                new PlaceholderRegistry(config.paths().sessionsDir(), workspace)
                    .leave(id, containers, kept),
            hold));
  }

  private static List<String> agentCommand(Config config) {
    List<String> command = new ArrayList<>();
    command.add(config.agent().command());
    command.addAll(config.agent().args());
    return command;
  }

  private static SessionNotFoundException notRunning(String name) {
    return new SessionNotFoundException(
        "no running coi session is named " + name + ": list them with 'coi list'");
  }
}
