package dev.coi.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code coi version}. */
@Command(name = "version", description = "Print coi's version.")
final class VersionCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    for (String line : new Coi.Version().getVersion()) {
      spec.commandLine().getOut().println(line);
    }
    return ExitCodes.OK;
  }
}
