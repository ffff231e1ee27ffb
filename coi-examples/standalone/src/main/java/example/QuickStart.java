package example;

import dev.coi.api.ExecResult;
import dev.coi.api.Session;
import dev.coi.api.Sessions;
import java.nio.file.Path;

/** coi's quick start, as an embedder's own program: one command in a fresh session. */
public final class QuickStart {
  private QuickStart() {}

  public static void main(String[] args) {
    Path workspace = Path.of(args.length > 0 ? args[0] : ".");
    ExecResult result;
    try (Session session = Sessions.builder().workspace(workspace).start()) {
      result = session.run("sh", "-c", "echo hello from $(pwd) in $(hostname)");
    }
    System.out.print(result.stdout());
    System.exit(result.exitCode());
  }
}
