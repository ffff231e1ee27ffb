package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.coi.api.Mount;
import dev.coi.api.Session;
import dev.coi.api.Sessions;
import dev.coi.core.config.ConfigLoader;
import dev.coi.tck.InMemorySessionStore;
import dev.coi.tck.LiveBackendTestBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Storage and extra mounts, a directory and a single file, as a container sees them. */
class SessionMountsIT extends LiveBackendTestBase {
  @TempDir Path home;
  @TempDir Path storage;
  @TempDir Path host;

  @Test
  void storageAndAReadOnlyFileMountAreWhereTheSpecSays() throws IOException {
    Files.setAttribute(storage, "unix:uid", 1000);
    Files.setAttribute(storage, "unix:gid", 1000);
    Path file = Files.writeString(host.resolve("tool.conf"), "setting=1\n");
    DefaultSessionEngine engine =
        new DefaultSessionEngine(
            Backends::discover,
            settings -> new InMemorySessionStore(),
            ConfigLoader.builder().home(home).environment(Map.of()).build(),
            Clock.systemUTC());
    try (Session s =
        engine.start(
            Sessions.builder()
                .workspace(workspace)
                .image("coi-test-min")
                .containerPrefix(TEST_PREFIX)
                .storage(storage)
                .addMounts(Mount.of(file, "/opt/conf/tool.conf").withReadOnly(true))
                .build())) {
      assertEquals(0, s.run("sh", "-c", "echo kept > /storage/out").exitCode());
      assertEquals("kept\n", Files.readString(storage.resolve("out")));
      assertEquals("setting=1\n", s.run("cat", "/opt/conf/tool.conf").stdout());
      assertNotEquals(0, s.run("sh", "-c", "echo x >> /opt/conf/tool.conf").exitCode());
      assertEquals("setting=1\n", Files.readString(file));
    }
  }
}
