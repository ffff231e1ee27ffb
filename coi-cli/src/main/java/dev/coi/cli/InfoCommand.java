package dev.coi.cli;

import dev.coi.api.SessionInfo;
import dev.coi.api.SessionNotFoundException;
import dev.coi.api.SessionState;
import dev.coi.api.Sessions;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code coi info [ID|NAME]}: one session's details; the workspace's latest saved one by default.
 */
@Command(
    name = "info",
    description =
        "Show a session's details: by session id or container name, or the latest saved session"
            + " of the workspace (-w, default: the current directory).")
final class InfoCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(
      arity = "0..1",
      paramLabel = "ID|NAME",
      description = "A session id or a container name, from 'coi list --all'.")
  String which;

  @Override
  public Integer call() {
    Output output = new Output(spec);
    SessionInfo s = which == null ? latest(output) : find(which);
    if (output.json()) {
      output.printJson(Output.session(s));
      return ExitCodes.OK;
    }
    PrintWriter out = output.out();
    out.println("Session: " + s.id());
    out.println("  Container: " + s.container());
    out.println("  Status: " + Output.status(s));
    out.println("  Mode: " + Output.mode(s));
    out.println("  Workspace: " + s.workspace());
    out.println("  Slot: " + s.slot());
    s.network().ifPresent(n -> out.println("  Network: " + Output.network(n)));
    s.network()
        .filter(n -> n.effective() == dev.coi.api.NetworkMode.ALLOWLIST)
        .ifPresent(n -> out.println("  Allowed: " + String.join(", ", n.addresses())));
    out.println("  Created: " + Output.time(s.created()));
    out.println("  Saved: " + s.saved().map(Output::time).orElse("never"));
    s.resumedFrom().ifPresent(r -> out.println("  Resumed from: " + r));
    for (Map.Entry<String, String> label : s.labels().entrySet()) {
      out.println("  Label " + label.getKey() + ": " + label.getValue());
    }
    if (s.state() == SessionState.SAVED || s.saved().isPresent()) {
      out.println("  Resume: coi shell -w " + s.workspace() + " --resume " + s.id());
    }
    out.flush();
    return ExitCodes.OK;
  }

  private SessionInfo latest(Output output) {
    return Sessions.latest(output.options.workspace())
        .orElseThrow(
            () ->
                new SessionNotFoundException(
                    "no saved session of workspace "
                        + output.options.workspace().toAbsolutePath().normalize()
                        + ": give an id or name from 'coi list --all'"));
  }

  private static SessionInfo find(String which) {
    return Sessions.list().stream()
        .filter(s -> s.id().equals(which) || s.container().equals(which))
        .findFirst()
        .orElseThrow(
            () ->
                new SessionNotFoundException(
                    "no session or container '" + which + "': see 'coi list --all'"));
  }
}
