package dev.coi.cli;

/** The {@code coi} command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    if (QuickAnswers.answer(args, System.out)) {
      return;
    }
    Diagnostics.install();
    RunCommand run = RunFastPath.parse(args);
    if (run != null) {
      // The libraries' one-time start, on the other core while this one reads the configuration.
      Preload.start();
    }
    System.exit(run != null ? RunFastPath.execute(run) : Coi.commandLine().execute(args));
  }
}
