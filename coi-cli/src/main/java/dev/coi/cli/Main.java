package dev.coi.cli;

/** The {@code coi} command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    if (QuickAnswers.answer(args, System.out)) {
      return;
    }
    Diagnostics.install();
    System.exit(Coi.commandLine().execute(args));
  }
}
