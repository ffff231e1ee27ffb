package dev.coi.cli;

import java.util.List;

/**
 * How {@code coi run}'s arguments become the command's argument vector. One argument is a shell
 * command line ({@code coi run "npm test && npm run lint"}), run by {@code sh -c}; several are the
 * argument vector itself, passed on untouched with no shell in between.
 */
final class CommandArgs {
  private CommandArgs() {}

  static List<String> toArgv(List<String> args) {
    if (args.isEmpty()) {
      throw new IllegalArgumentException("no command");
    }
    if (args.size() == 1) {
      return List.of("sh", "-c", args.get(0));
    }
    return List.copyOf(args);
  }
}
