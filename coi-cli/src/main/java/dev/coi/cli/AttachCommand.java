package dev.coi.cli;

import dev.coi.api.SessionInfo;
import dev.coi.api.SessionState;
import dev.coi.api.Sessions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code coi attach [NAME] [--slot N] [--bash]}: back to a running session's agent. */
@Command(
    name = "attach",
    description = {
      "Attach this terminal to the agent of a running session (one left with Ctrl+B d, or one"
          + " shown in another terminal). Without NAME: the one running session, or, with --slot"
          + " or -w, the one of that workspace and slot. None running: says so and exits 0;"
          + " several: lists them and exits 1.",
      "Leaving the agent's shell in the container ends the session, as in 'coi shell';"
          + " Ctrl+B d leaves it running again."
    })
final class AttachCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(
      arity = "0..1",
      paramLabel = "NAME",
      description = "The session's container name, as 'coi list' shows it.")
  String name;

  @Option(
      names = "--bash",
      description =
          "Open a login shell in the container beside the agent (or a 'coi run' command), taking"
              + " nothing over; coi exits with that shell's code.")
  boolean bash;

  @Override
  public Integer call() throws IOException {
    GlobalOptions options = GlobalOptions.of(spec);
    PrintStream messages = ShellCommand.messages(options);
    if (name != null) {
      return new AgentShell(messages).attachTo(name, bash);
    }
    List<SessionInfo> running = choices(Sessions.list(), options);
    if (running.isEmpty()) {
      messages.println("No coi session is running. Start one with: coi shell");
      return ExitCodes.OK;
    }
    if (running.size() > 1) {
      System.err.println("Several coi sessions are running; name the one to attach to:");
      for (SessionInfo s : running) {
        System.err.println(
            "  coi attach " + s.container() + "    (" + s.workspace() + ", slot " + s.slot() + ")");
      }
      System.err.println("or choose one of this workspace by its slot: coi attach --slot N");
      return ExitCodes.FAILED;
    }
    return new AgentShell(messages).attachTo(running.get(0).container(), bash);
  }

  /**
   * The running sessions the options leave: all of them, or, when a slot or a workspace is given,
   * those of that workspace (the current directory when only a slot is) and slot.
   */
  static List<SessionInfo> choices(List<SessionInfo> sessions, GlobalOptions options)
      throws IOException {
    boolean scoped = options.slot > 0 || options.workspace != null;
    Path workspace = scoped ? options.workspace().toRealPath() : null;
    return sessions.stream()
        .filter(s -> s.state() == SessionState.RUNNING)
        .filter(s -> !scoped || s.workspace().equals(workspace))
        .filter(s -> options.slot <= 0 || s.slot() == options.slot)
        .toList();
  }
}
