package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.Session;
import dev.coi.api.SessionSpec;
import dev.coi.api.Sessions;
import dev.coi.core.config.Config;
import dev.coi.core.config.ConfigLoader;
import dev.coi.tck.FakeContainerBackend;
import dev.coi.tck.InMemorySessionStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which image a session starts from, and what a privileged session gets on top. */
class SessionImagesTest {
  @TempDir Path workspace;
  @TempDir Path home;

  /** The files pushed into containers, by container and path. */
  private final Map<String, String> pushed = new LinkedHashMap<>();

  private final FakeContainerBackend backend =
      new FakeContainerBackend("coi-sandbox", "coi-privileged", "custom") {
        @Override
        public void pushFile(
            String container, String path, byte[] content, int uid, int gid, int mode) {
          pushed.put(
              container + ":" + path + " " + uid + ":" + gid + " " + Integer.toOctalString(mode),
              new String(content, StandardCharsets.UTF_8));
        }
      };

  private Config config(String toml) throws IOException {
    Path file = Files.writeString(home.resolve("config.toml"), toml);
    return loader(file).load(spec().build());
  }

  private ConfigLoader loader(Path userFile) {
    return ConfigLoader.builder().userFile(userFile).home(home).build();
  }

  private SessionSpec.Builder spec() {
    return Sessions.builder().workspace(workspace);
  }

  private String image(SessionSpec spec, String toml) throws IOException {
    Path file = Files.writeString(home.resolve("config.toml"), toml);
    return SessionImages.of(spec, loader(file).load(spec));
  }

  @Test
  void privilegedFromTheSpecOrTheConfigurationTakesThePrivilegedImage() throws IOException {
    assertEquals("coi-sandbox", image(spec().build(), ""));
    assertEquals("coi-privileged", image(spec().privileged().build(), ""));
    assertEquals("coi-privileged", image(spec().build(), "[defaults]\nprivileged = true\n"));
    assertEquals(
        "coi-privileged",
        image(spec().privileged().build(), "[defaults]\nimage = \"coi-sandbox\"\n"));
  }

  @Test
  void anImageChosenElsewhereIsKeptEvenWhenPrivileged() throws IOException {
    assertEquals("custom", image(spec().privileged().image("custom").build(), ""));
    assertEquals("coi-sandbox", image(spec().privileged().image("coi-sandbox").build(), ""));
    assertEquals(
        "custom", image(spec().build(), "[defaults]\nimage = \"custom\"\nprivileged = true\n"));
    assertTrue(SessionImages.privileged(spec().build(), config("[defaults]\nprivileged = true")));
  }

  private DefaultSessionEngine engine() {
    return new DefaultSessionEngine(
        settings -> backend,
        settings -> new InMemorySessionStore(),
        ConfigLoader.builder().home(home).build(),
        Clock.systemUTC());
  }

  @Test
  void aPrivilegedSessionGetsTheHostsGitIdentityAndAPlainOneDoesNot() throws IOException {
    Files.writeString(
        home.resolve(".gitconfig"), "[user]\n\tname = Jane Doe\n\temail = jane@example.com\n");
    try (Session plain = engine().start(spec().build());
        Session privileged = engine().start(spec().privileged().build())) {
      assertEquals("coi-sandbox", backend.created().get(plain.name()).image());
      assertEquals("coi-privileged", backend.created().get(privileged.name()).image());
      assertEquals(
          Map.of(
              privileged.name() + ":/home/claude/.gitconfig 1000:1000 644",
              "# The host user's git identity, copied in by coi.\n"
                  + "[user]\n\tname = \"Jane Doe\"\n\temail = \"jane@example.com\"\n"),
          pushed);
    }
  }

  @Test
  void withoutAHostIdentityNothingIsPushed() {
    try (Session privileged = engine().start(spec().privileged().build())) {
      assertEquals("coi-privileged", backend.created().get(privileged.name()).image());
      assertEquals(Map.of(), pushed);
    }
  }
}
