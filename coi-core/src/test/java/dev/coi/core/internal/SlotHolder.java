package dev.coi.core.internal;

import dev.coi.api.Session;
import dev.coi.api.Sessions;
import dev.coi.api.spi.SessionStore;
import dev.coi.core.config.ConfigLoader;
import dev.coi.tck.InMemorySessionStore;
import dev.coi.tck.LiveBackendTestBase;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;

/**
 * A coi process for {@link SlotsIT}: one session on a workspace, driven through stdin and stdout so
 * that several of these start their sessions at the same moment.
 *
 * <p>Arguments: HOME WORKSPACE. Prints {@code ready}, waits for a line, starts the session and
 * prints {@code slot N NAME} (or {@code error MESSAGE} and exits 1), waits for a line, closes the
 * session and prints {@code closed}.
 */
final class SlotHolder {
  /** Saving sessions is not what these tests are about. */
  private static final SessionStore STORE = new InMemorySessionStore();

  private SlotHolder() {}

  public static void main(String[] args) throws Exception {
    DefaultSessionEngine engine =
        new DefaultSessionEngine(
            Backends::discover,
            settings -> STORE,
            ConfigLoader.builder().home(Path.of(args[0])).build(),
            Clock.systemUTC());
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    System.out.println("ready");
    System.out.flush();
    in.readLine();
    Session session;
    try {
      session =
          engine.start(
              Sessions.builder()
                  .workspace(Path.of(args[1]))
                  .image("coi-test-min")
                  .containerPrefix(LiveBackendTestBase.TEST_PREFIX)
                  .build());
    } catch (RuntimeException e) {
      System.out.println("error " + e);
      System.exit(1);
      return;
    }
    System.out.println("slot " + session.slot() + " " + session.name());
    System.out.flush();
    in.readLine();
    session.close();
    System.out.println("closed");
    System.exit(0);
  }
}
