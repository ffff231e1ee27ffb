package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.CoiException;
import dev.coi.api.Session;
import dev.coi.api.SessionSpec;
import dev.coi.api.Sessions;
import dev.coi.api.spi.ExecSpec;
import dev.coi.core.config.Config;
import dev.coi.core.config.ConfigLoader;
import dev.coi.tck.FakeContainerBackend;
import dev.coi.tck.InMemorySessionStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials (the agent's credentials file and profile, tokens in environment values) never show
 * in the text coi makes of its values, in its messages, or in what a session says about itself.
 */
class SecretsTest {
  private static final String TOKEN = "tok-3b1f9c-SECRET";
  private static final String CREDENTIAL = "cred-77aa01-SECRET";

  @TempDir Path workspace;
  @TempDir Path home;

  private static void hidden(String text) {
    assertFalse(text.contains("SECRET"), "a secret shows in: " + text);
  }

  /** The message and the whole stack trace, causes included, as COI_DEBUG=1 prints them. */
  private static String debugText(Throwable e) {
    StringWriter out = new StringWriter();
    e.printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  private ConfigLoader loader() {
    return ConfigLoader.builder()
        .environment(Map.of("GH_TOKEN", TOKEN))
        .userFile(home.resolve("config.toml"))
        .home(home)
        .build();
  }

  @Test
  void environmentValuesNeverShowInTheTextOfValues() throws IOException {
    Files.writeString(home.resolve("config.toml"), "[environment]\nAPI_KEY = \"" + TOKEN + "\"\n");
    SessionSpec spec = Sessions.builder().workspace(workspace).putEnvironment("T", TOKEN).build();
    Config config = loader().load(workspace);

    hidden(spec.toString());
    hidden(loader().toString());
    hidden(config.toString());
    hidden(
        ExecSpec.builder().command(List.of("true")).putEnvironment("T", TOKEN).build().toString());
    assertTrue(config.environment().containsValue(TOKEN), "the value is there, only not shown");
  }

  @Test
  void aBrokenSettingsOrProfileFileIsNamedNeverQuoted() throws IOException {
    Path settings = Files.writeString(home.resolve("settings.json"), "{\"apiKey\": \"" + TOKEN);
    Path profile = Files.writeString(home.resolve(".claude.json"), "\"" + TOKEN + "\"");

    CoiException broken = assertThrows(CoiException.class, () -> AgentState.merged(settings, "{}"));
    CoiException notObject =
        assertThrows(CoiException.class, () -> AgentState.merged(profile, "{}"));

    assertTrue(broken.getMessage().contains(settings.toString()), broken.getMessage());
    hidden(debugText(broken));
    hidden(debugText(notObject));
  }

  @Test
  void aSessionSaysNothingOfTheCredentialsItWasGiven() throws IOException {
    HostClaude.credentials(home, "{\"t\":\"" + CREDENTIAL + "\"}");
    DefaultSessionEngine engine =
        new DefaultSessionEngine(
            settings -> new FakeContainerBackend("coi-sandbox"),
            settings -> new InMemorySessionStore(),
            loader(),
            Clock.systemUTC());

    try (Session s =
        engine.start(Sessions.builder().workspace(workspace).putEnvironment("T", TOKEN).build())) {
      hidden(s.toString());
      hidden(s.info().toString());
      hidden(s.info().labels().toString());
      hidden(engine.list().toString());
    }
  }
}
