package dev.coi.cli;

import dev.coi.api.CoiException;
import dev.coi.api.ExecResult;
import dev.coi.api.Session;
import dev.coi.api.SessionInfo;
import dev.coi.api.SessionState;
import dev.coi.api.Sessions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code coi tmux send|capture|list}: drives the agent's tmux session inside a running coi
 * container, for orchestrators. The session is the one {@link Session#startAgent()} makes, named
 * {@code coi-<container>} as the Go coi names it ({@link Session#agentTmuxSession(String)}).
 */
@Command(
    name = "tmux",
    description = "Drive the agent's tmux session in a running coi container (for orchestrators).",
    subcommands = {
      TmuxCommand.Send.class,
      TmuxCommand.Capture.class,
      TmuxCommand.ListSessions.class
    })
final class TmuxCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing subcommand: give send, capture or list");
  }

  /** Runs tmux as the agent user, whose server holds the session; a failure names the container. */
  static String tmux(String container, String what, String... args) {
    List<String> command = new ArrayList<>(List.of("tmux"));
    command.addAll(List.of(args));
    ExecResult r = Sessions.run(container, command);
    if (r.exitCode() != 0) {
      throw new CoiException(
          "cannot "
              + what
              + " in "
              + container
              + ": "
              + r.stderr().strip()
              + " (is the agent started? 'coi shell' starts it)");
    }
    return r.stdout();
  }

  /** {@code coi tmux send NAME TEXT}: types TEXT and Enter into the agent's pane. */
  @Command(name = "send", description = "Type TEXT into the agent's tmux pane, then Enter.")
  static final class Send implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "A running coi container.")
    String container;

    @Parameters(index = "1", paramLabel = "TEXT", description = "What to type; one argument.")
    String text;

    @Override
    public Integer call() {
      // -l: the text is typed literally, never read as key names; Enter is sent on its own.
      String target = Session.agentTmuxSession(container);
      tmux(container, "send keys", "send-keys", "-t", target, "-l", text);
      tmux(container, "send keys", "send-keys", "-t", target, "Enter");
      new Output(spec).say("Sent to " + container);
      return ExitCodes.OK;
    }
  }

  /** {@code coi tmux capture NAME}: the pane's visible text, on stdout. */
  @Command(name = "capture", description = "Print what the agent's tmux pane shows now.")
  static final class Capture implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "A running coi container.")
    String container;

    @Override
    public Integer call() {
      Output output = new Output(spec);
      String session = Session.agentTmuxSession(container);
      String screen = tmux(container, "capture the pane", "capture-pane", "-p", "-t", session);
      if (output.json()) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("container", container);
        json.put("session", session);
        json.put("content", screen);
        output.printJson(json);
      } else {
        output.out().print(screen);
        output.out().flush();
      }
      return ExitCodes.OK;
    }
  }

  /**
   * {@code coi tmux list [NAME]}: the tmux sessions in one container, or in every running coi
   * container.
   */
  @Command(
      name = "list",
      description = "List the tmux sessions of a running coi container, or of all of them.")
  static final class ListSessions implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "NAME", description = "A running coi container.")
    String container;

    @Override
    public Integer call() {
      Output output = new Output(spec);
      List<String> containers = new ArrayList<>();
      if (container != null) {
        containers.add(container);
      } else {
        for (SessionInfo s : Sessions.list()) {
          if (s.state() == SessionState.RUNNING) {
            containers.add(s.container());
          }
        }
      }
      List<Map<String, String>> found = new ArrayList<>();
      for (String name : containers) {
        ExecResult r =
            Sessions.run(name, List.of("tmux", "list-sessions", "-F", "#{session_name}"));
        // No server (no session started) is an empty list, not an error.
        for (String session : r.exitCode() == 0 ? r.stdout().lines().toList() : List.<String>of()) {
          Map<String, String> one = new LinkedHashMap<>();
          one.put("container", name);
          one.put("session", session);
          found.add(one);
        }
      }
      if (output.json()) {
        output.printJson(found);
      } else if (found.isEmpty()) {
        output.say("No active sessions");
      } else {
        List<List<String>> rows = new ArrayList<>();
        found.forEach(f -> rows.add(List.of(f.get("container"), f.get("session"))));
        output.table(List.of("CONTAINER", "TMUX SESSION"), rows);
      }
      return ExitCodes.OK;
    }
  }
}
