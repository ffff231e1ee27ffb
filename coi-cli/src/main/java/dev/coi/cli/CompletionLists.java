package dev.coi.cli;

import dev.coi.api.SessionInfo;
import dev.coi.api.Sessions;
import java.io.PrintWriter;

/**
 * What {@code coi completion --list} prints for the completion scripts: one candidate a line, then
 * a tab and a few words fish shows beside it. A failure (no daemon) is coi's usual one-line error
 * on stderr, which the scripts discard: no candidates.
 */
final class CompletionLists {
  private CompletionLists() {}

  static void print(CompletionCommand.Listing what, GlobalOptions options, PrintWriter out) {
    switch (what) {
      case containers -> {
        for (SessionInfo s : Sessions.list()) {
          if (!s.container().isEmpty()) {
            out.println(
                s.container()
                    + "\t"
                    + s.state().name().toLowerCase(java.util.Locale.ROOT)
                    + " "
                    + s.workspace());
          }
        }
      }
      case sessions -> {
        for (SessionInfo s : Sessions.list()) {
          out.println(s.id() + "\t" + s.workspace());
        }
      }
      case profiles -> Sessions.profiles(options.workspace()).forEach(out::println);
    }
    out.flush();
  }
}
