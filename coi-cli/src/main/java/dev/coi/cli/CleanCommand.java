package dev.coi.cli;

import dev.coi.api.CoiException;
import dev.coi.api.SessionInfo;
import dev.coi.api.SessionState;
import dev.coi.api.Sessions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code coi clean}: removes stopped coi containers and, on request, saved sessions and what killed
 * coi programs left. Lists what it will remove first; asks on a terminal; without a terminal it
 * needs {@code --force}. Running sessions are never touched.
 */
@Command(
    name = "clean",
    description =
        "Remove stopped coi containers (their agent state saved first); with --sessions saved"
            + " sessions, with --orphans what killed coi programs left, with --all all three."
            + " Lists what it will remove, then asks [y/N]; without a terminal, --force is needed."
            + " With -w DIR, only that workspace's containers and sessions (orphans are always"
            + " swept everywhere). Running sessions are never touched.")
final class CleanCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--all", description = "Stopped containers, saved sessions and orphans.")
  boolean all;

  @Option(names = "--sessions", description = "Saved sessions too (they can no longer be resumed).")
  boolean sessions;

  @Option(
      names = "--orphans",
      description =
          "What coi programs that were killed left: their ephemeral containers and unsaved state"
              + " (saved first).")
  boolean orphans;

  @Option(
      names = {"-f", "--force"},
      description = "Remove without asking.")
  boolean force;

  @Override
  public Integer call() {
    Output output = new Output(spec);
    List<SessionInfo> doomed = new ArrayList<>();
    // -w given: that workspace's alone; otherwise every workspace's, as the Go coi does.
    java.util.Optional<java.nio.file.Path> only =
        java.util.Optional.ofNullable(output.options.workspace).map(CleanCommand::real);
    for (SessionInfo s : Sessions.list()) {
      if (only.isPresent() && !only.get().equals(s.workspace())) {
        continue;
      }
      boolean stopped = s.state() == SessionState.STOPPED;
      boolean saved = s.state() == SessionState.SAVED && (sessions || all);
      if (stopped || saved) {
        doomed.add(s);
      }
    }
    boolean sweep = orphans || all;
    if (doomed.isEmpty() && !sweep) {
      output.say(
          "Nothing to clean: no stopped containers" + (sessions ? " or saved sessions" : ""));
      return done(output, List.of(), List.of(), List.of());
    }
    if (!output.json()) {
      for (SessionInfo s : doomed) {
        output.say(
            "  "
                + (s.state() == SessionState.SAVED
                    ? "saved session " + s.id()
                    : "container " + s.container())
                + "  ("
                + s.workspace()
                + ")");
      }
      if (sweep) {
        output.say("  orphans: containers and unsaved state of coi programs that are gone");
      }
    }
    if (!force && !confirm(output, doomed.size())) {
      return ExitCodes.FAILED;
    }
    List<String> removed = new ArrayList<>();
    List<Map<String, String>> failed = new ArrayList<>();
    for (SessionInfo s : doomed) {
      String what = s.state() == SessionState.SAVED ? s.id() : s.container();
      try {
        Sessions.remove(s);
        removed.add(what);
      } catch (CoiException e) {
        failed.add(Map.of("name", what, "error", e.getMessage()));
        output.error(e.getMessage());
      }
    }
    List<String> swept = sweep ? Sessions.sweep() : List.of();
    return done(output, removed, swept, failed);
  }

  private static java.nio.file.Path real(java.nio.file.Path workspace) {
    try {
      return workspace.toRealPath();
    } catch (IOException e) {
      throw new CoiException(
          "workspace " + workspace + " does not exist: give an existing directory with -w");
    }
  }

  /** Asks on a terminal; refuses without one, so that a script never removes by accident. */
  private boolean confirm(Output output, int count) {
    if (System.console() == null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "not asking without a terminal: add --force to remove " + (count == 1 ? "it" : "them"));
    }
    System.err.print("Remove " + (count == 1 ? "it" : "these") + "? [y/N] ");
    System.err.flush();
    try {
      String answer =
          new BufferedReader(new InputStreamReader(System.in, Charset.defaultCharset())).readLine();
      if (answer != null && answer.strip().toLowerCase(java.util.Locale.ROOT).startsWith("y")) {
        return true;
      }
    } catch (IOException e) {
      // No answer is no.
    }
    output.say("Nothing removed.");
    return false;
  }

  private static int done(
      Output output, List<String> removed, List<String> swept, List<Map<String, String>> failed) {
    if (output.json()) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("removed", removed);
      json.put("swept", swept);
      json.put("failed", failed);
      output.printJson(json);
    } else {
      removed.forEach(name -> output.say("Removed " + name));
      swept.forEach(name -> output.say("Swept " + name));
    }
    return failed.isEmpty() ? ExitCodes.OK : ExitCodes.FAILED;
  }
}
