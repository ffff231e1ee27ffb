package dev.coi.cli;

import dev.coi.api.CoiException;
import dev.coi.api.RunningCommand;
import dev.coi.api.Session;
import dev.coi.api.SessionSpec;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code coi run CMD…}: one command in a fresh container, its output and exit code passed on. */
@Command(
    name = "run",
    description =
        "Run a command in a fresh container as the agent user (uid 1000) in /workspace, print"
            + " its output and exit with its exit code. One argument is a shell command line (run"
            + " by sh -c); several are the command and its arguments, with no shell in between.")
final class RunCommand implements Callable<Integer>, ExitCodes.PassesExitCode {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-t", "--tty"},
      description =
          "Run the command on a terminal when coi's input and output both are one (as docker run"
              + " -t): for interactive programs. Output then comes on stdout only.")
  boolean tty;

  @Parameters(
      arity = "1..*",
      paramLabel = "CMD",
      description = "The command to run; put -- before it when it starts with '-'.")
  List<String> command;

  /** The global options when {@link RunFastPath} read the line; picocli's otherwise. */
  GlobalOptions global;

  @Override
  public Integer call() {
    List<String> argv = CommandArgs.toArgv(command);
    if (tty && UserTerminal.available()) {
      return RunInput.onTerminal(spec(), argv);
    }
    try (Session session = spec().start();
        RunningCommand running = session.exec(argv)) {
      RunInput.feed(running);
      int exitCode = OutputPump.relay(running, System.out, System.err, argv.get(0));
      markArchiveRecordingComplete();
      return exitCode;
    } catch (IOException e) {
      throw new CoiException("lost the command's output: " + e.getMessage(), e);
    }
  }

  /**
   * Tells the launcher that the class-data archive this JVM records as it exits (if it does) comes
   * from a run that went all the way through a command, so it holds the classes every run needs.
   */
  static void markArchiveRecordingComplete() {
    String recording = System.getProperty("coi.archive.recording");
    if (recording == null) {
      return;
    }
    try {
      java.nio.file.Files.write(java.nio.file.Path.of(recording + ".complete"), new byte[0]);
    } catch (IOException | RuntimeException e) {
      // Then the launcher records again next time.
    }
  }

  /** The session the flags ask for; what they leave out, the configuration decides. */
  SessionSpec spec() {
    return (global != null ? global : GlobalOptions.of(spec))
        .sessionBuilder()
        // coi exits right after: Incus finishes the stop and deletes the container itself.
        .awaitCleanup(false)
        .build();
  }
}
