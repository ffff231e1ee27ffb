package dev.coi.cli;

import dev.coi.api.CoiException;
import dev.coi.api.SessionInfo;
import dev.coi.api.Sessions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code coi kill}, {@code coi shutdown} and {@code coi persist}: an action on coi containers by
 * name. Each name is tried in turn; one that fails (not coi's, not there) is reported on one line
 * and the others still go ahead; the exit code is then 1.
 */
final class ContainerActions {
  private ContainerActions() {}

  /** The container names the three commands take. */
  static final class Names {
    @Parameters(
        arity = "1..*",
        paramLabel = "NAME",
        description = "Container names, from 'coi list'.")
    List<String> list;
  }

  static int each(Output output, List<String> names, String done, Consumer<String> action) {
    int failures = 0;
    for (String name : names) {
      try {
        action.accept(name);
        output.say(done + " " + name);
      } catch (CoiException e) {
        output.error(e.getMessage());
        failures++;
      }
    }
    return failures == 0 ? ExitCodes.OK : ExitCodes.FAILED;
  }

  /** {@code coi kill NAME…}. */
  @Command(
      name = "kill",
      description =
          "Stop and delete coi containers now, running or not, persistent or not; their agent"
              + " state is saved. Containers coi did not make are never touched.")
  static final class Kill implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin Names names;

    @Override
    public Integer call() {
      return each(new Output(spec), names.list, "Killed", Sessions::kill);
    }
  }

  /** {@code coi shutdown NAME… [--timeout S]}. */
  @Command(
      name = "shutdown",
      description =
          "Shut coi containers down gracefully (stopped at once after --timeout), save their agent"
              + " state, then delete them.")
  static final class Shutdown implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin Names names;

    @Option(
        names = "--timeout",
        paramLabel = "S",
        defaultValue = "60",
        description = "Seconds to wait for a clean shutdown before forcing it (default: 60).")
    int timeout;

    @Override
    public Integer call() {
      if (timeout < 0) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--timeout " + timeout + " is negative: give 0 or more seconds");
      }
      return each(
          new Output(spec),
          names.list,
          "Shut down",
          name -> Sessions.shutdown(name, Duration.ofSeconds(timeout)));
    }
  }

  /** {@code coi persist NAME…}. */
  @Command(
      name = "persist",
      description =
          "Keep running ephemeral sessions' containers when their sessions end, as if started with"
              + " --persistent; the next --persistent session there reuses them.")
  static final class Persist implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin Names names;

    @Override
    public Integer call() {
      Output output = new Output(spec);
      return each(
          output,
          names.list,
          "Persistent now:",
          name -> {
            SessionInfo kept = Sessions.persist(name);
            output.say(
                "The next 'coi shell -w "
                    + kept.workspace()
                    + " --slot "
                    + kept.slot()
                    + " --persistent' reuses "
                    + name
                    + "; 'coi kill "
                    + name
                    + "' removes it.");
          });
    }
  }
}
