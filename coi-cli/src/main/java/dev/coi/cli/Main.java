package dev.coi.cli;

/** The {@code coi} command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(Coi.commandLine().execute(args));
  }
}
