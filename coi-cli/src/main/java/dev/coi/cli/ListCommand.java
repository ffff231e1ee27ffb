package dev.coi.cli;

import dev.coi.api.SessionInfo;
import dev.coi.api.SessionState;
import dev.coi.api.Sessions;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code coi list [--all]}: coi's containers, running and stopped, as the Go coi shows them; with
 * {@code --all} also the saved sessions.
 */
@Command(
    name = "list",
    description =
        "List coi's containers, running and stopped (name, mode, status, created, workspace);"
            + " with --all also the saved sessions, which --resume ID resumes.")
final class ListCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-a", "--all"},
      description = "Also list saved sessions.")
  boolean all;

  @Override
  public Integer call() {
    Output output = new Output(spec);
    List<SessionInfo> containers = new ArrayList<>();
    List<SessionInfo> saved = new ArrayList<>();
    for (SessionInfo s : Sessions.list()) {
      (s.state() == SessionState.SAVED ? saved : containers).add(s);
    }
    if (output.json()) {
      Map<String, Object> json = new LinkedHashMap<>();
      List<Object> active = new ArrayList<>();
      containers.forEach(s -> active.add(Output.session(s)));
      json.put("active_containers", active);
      if (all) {
        List<Object> sessions = new ArrayList<>();
        for (SessionInfo s : saved) {
          Map<String, Object> one = new LinkedHashMap<>();
          // The Go coi's field names, capitalised as it writes them.
          one.put("ID", s.id());
          one.put("SavedAt", s.saved().map(Output::time).orElse(""));
          one.put("Workspace", s.workspace().toString());
          sessions.add(one);
        }
        json.put("saved_sessions", sessions);
      }
      output.printJson(json);
      return ExitCodes.OK;
    }
    PrintWriter out = output.out();
    out.println("Active Containers:");
    out.println("------------------");
    if (containers.isEmpty()) {
      out.println("  (none)");
    }
    for (SessionInfo s : containers) {
      out.println("  " + s.container() + " (" + Output.mode(s) + ")");
      out.println("    Status: " + Output.status(s));
      out.println("    Created: " + Output.time(s.created()));
      out.println("    Workspace: " + s.workspace());
      out.println("    Slot: " + s.slot());
      out.println("    Session: " + s.id());
    }
    if (all) {
      out.println();
      out.println("Saved Sessions:");
      out.println("---------------");
      if (saved.isEmpty()) {
        out.println("  (none)");
      }
      for (SessionInfo s : saved) {
        out.println("  " + s.id());
        out.println("    Saved: " + s.saved().map(Output::time).orElse(""));
        out.println("    Workspace: " + s.workspace());
      }
    }
    out.flush();
    return ExitCodes.OK;
  }
}
