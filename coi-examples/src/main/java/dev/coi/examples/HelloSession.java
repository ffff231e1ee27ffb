package dev.coi.examples;

import dev.coi.api.ExecResult;
import dev.coi.api.Session;
import dev.coi.api.Sessions;
import java.nio.file.Path;

/**
 * The quick start: the smallest program over coi. Runs one command in a fresh session on a
 * workspace and passes on its output and exit code.
 *
 * <pre>{@code
 * java -cp ... dev.coi.examples.HelloSession /path/to/project uname -a
 * }</pre>
 */
public final class HelloSession {
  private HelloSession() {}

  public static void main(String[] args) {
    if (args.length < 2) {
      System.err.println("usage: HelloSession WORKSPACE COMMAND [ARG...]");
      System.exit(2);
    }
    Path workspace = Path.of(args[0]);
    String[] command = java.util.Arrays.copyOfRange(args, 1, args.length);
    ExecResult result;
    try (Session session = Sessions.builder().workspace(workspace).start()) {
      result = session.run(command);
    } // the container is gone here
    System.out.print(result.stdout());
    System.err.print(result.stderr());
    System.exit(result.exitCode());
  }
}
