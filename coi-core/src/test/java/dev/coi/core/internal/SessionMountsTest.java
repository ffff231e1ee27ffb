package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.InvalidSpecException;
import dev.coi.api.Mount;
import dev.coi.api.Session;
import dev.coi.api.SessionSpec;
import dev.coi.api.Sessions;
import dev.coi.core.config.ConfigLoader;
import dev.coi.tck.FakeContainerBackend;
import dev.coi.tck.InMemorySessionStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mounts a session gets, and each rule that refuses one before anything is created. */
class SessionMountsTest {
  @TempDir Path workspace;
  @TempDir Path home;
  @TempDir Path host;
  private final FakeContainerBackend backend = new FakeContainerBackend("coi-sandbox");
  private final Map<String, String> environment = new HashMap<>();
  private Path userFile;

  private DefaultSessionEngine engine() {
    ConfigLoader.Builder loader = ConfigLoader.builder().environment(environment).home(home);
    if (userFile != null) {
      loader.userFile(userFile);
    }
    return new DefaultSessionEngine(
        settings -> backend,
        settings -> new InMemorySessionStore(),
        loader.build(),
        Clock.systemUTC());
  }

  private SessionSpec.Builder spec() {
    return Sessions.builder().workspace(workspace);
  }

  private void configure(String toml) throws IOException {
    userFile = Files.writeString(home.resolve("config.toml"), toml);
  }

  private static String mountsToml(String... sourceTargetPairs) {
    StringBuilder toml = new StringBuilder();
    for (int i = 0; i < sourceTargetPairs.length; i += 2) {
      toml.append("[[mounts]]\nsource = \"")
          .append(sourceTargetPairs[i])
          .append("\"\ntarget = \"")
          .append(sourceTargetPairs[i + 1])
          .append("\"\n");
    }
    return toml.toString();
  }

  private Path dir(String name) throws IOException {
    return Files.createDirectories(host.resolve(name));
  }

  /** The session's mounts, without those that protect paths in the workspace. */
  private List<Mount> mountsOf(Session s) {
    return backend.created().get(s.name()).mounts().stream()
        .filter(m -> !m.target().startsWith("/workspace/"))
        .toList();
  }

  /** Starting fails with one line containing every given part, and no container is made. */
  private void refused(SessionSpec spec, String... parts) {
    InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> engine().start(spec));
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), "'" + part + "' not in: " + e.getMessage());
    }
    assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    assertTrue(backend.created().isEmpty(), "nothing may be created: " + backend.created());
  }

  @Test
  void storageFromTheSpecGoesToStorageOverTheConfiguredOne() throws IOException {
    configure("[paths]\nstorage_dir = \"" + dir("configured") + "\"\n");
    Path asked = dir("asked");
    try (Session fromConfig = engine().start(spec().build());
        Session fromSpec = engine().start(spec().storage(asked).build())) {
      assertEquals(Mount.of(host.resolve("configured"), "/storage"), mountsOf(fromConfig).get(1));
      assertEquals(Mount.of(asked, "/storage"), mountsOf(fromSpec).get(1));
    }
  }

  @Test
  void specMountsComeBeforeConfiguredOnesWithRealSourcesAndReplaceOneAtTheirTarget()
      throws IOException {
    Path real = dir("real");
    Path link = Files.createSymbolicLink(host.resolve("link"), real);
    Path file = Files.writeString(host.resolve("tool.conf"), "x");
    configure(mountsToml(dir("cache").toString(), "/cache", dir("old").toString(), "/data"));
    SessionSpec s =
        spec()
            .mount(link, "/data")
            .addMounts(Mount.of(file, "/etc-copy/tool.conf").withReadOnly(true))
            .build();
    try (Session session = engine().start(s)) {
      assertEquals(
          List.of(
              Mount.of(workspace.toRealPath(), "/workspace"),
              Mount.of(real, "/data"),
              Mount.of(file, "/etc-copy/tool.conf").withReadOnly(true),
              Mount.of(host.resolve("cache"), "/cache")),
          mountsOf(session).subList(0, 4));
    }
  }

  @Test
  void aMissingSourceNamesTheMountAndWhereItCameFrom() throws IOException {
    Path missing = host.resolve("missing");
    refused(spec().mount(missing, "/data").build(), missing.toString(), "/data", "(spec)", "exist");
    refused(spec().storage(missing).build(), missing.toString(), "/storage", "--storage", "exist");
    configure(mountsToml(missing.toString(), "/data"));
    refused(spec().build(), missing.toString(), "/data", "config.toml:1", "[[mounts]] entry");
  }

  @Test
  void storageMustBeADirectoryAndAMountADirectoryOrARegularFile() throws IOException {
    Path file = Files.writeString(host.resolve("file"), "x");
    refused(spec().storage(file).build(), file.toString(), "--storage", "not a directory");
    refused(
        spec().mount(Path.of("/dev/null"), "/data").build(),
        "/dev/null",
        "/data",
        "not a directory or a regular file");
  }

  @Test
  void aTargetMustBeNormalized() throws IOException {
    Path a = dir("a");
    refused(spec().mount(a, "/a/../b").build(), "/a/../b", "(spec)", "write it as /b");
    refused(spec().mount(a, "/data/").build(), "/data/", "write it as /data");
    refused(spec().mount(a, "/data/./x").build(), "/data/./x", "write it as /data/x");
    assertThrows(InvalidSpecException.class, () -> Mount.of(a, "data"));
  }

  @Test
  void targetsThatWouldHideTheContainersSystemAreRefused() throws IOException {
    Path a = dir("a");
    for (String target :
        List.of("/", "/etc", "/usr/local/share", "/proc", "/dev/shm", "/run", "/lib64", "/var")) {
      refused(spec().mount(a, target).build(), target, "(spec)", "system needs");
    }
    try (Session ok =
        engine().start(spec().mount(a, "/var/cache/x").mount(dir("b"), "/library").build())) {
      assertEquals(4, mountsOf(ok).size());
    }
  }

  @Test
  void targetsInsideOrAroundTheWorkspaceStorageOrAgentStateAreRefused() throws IOException {
    Path a = dir("a");
    refused(spec().mount(a, "/workspace").build(), "/workspace", "reserved for the workspace");
    refused(spec().mount(a, "/workspace/cache").build(), "/workspace/cache", "the workspace");
    refused(spec().mount(a, "/storage/x").build(), "/storage/x", "reserved for storage");
    refused(spec().mount(a, "/home/claude/.claude").build(), "agent's state directory");
    refused(spec().mount(a, "/home/claude/.claude/projects").build(), "agent's state directory");
    refused(spec().mount(a, "/home/claude").build(), "/home/claude", "agent's state directory");
  }

  @Test
  void nestedOrDuplicateTargetsNameBothMounts() throws IOException {
    Path a = dir("a");
    Path b = dir("b");
    refused(
        spec().mount(a, "/data").mount(b, "/data").build(),
        "mount " + b + " at /data (spec)",
        "also the target of mount " + a + " at /data (spec)");
    configure(mountsToml(a.toString(), "/data"));
    refused(
        spec().mount(b, "/data/sub").build(),
        "mount " + a + " at /data (user file " + userFile + ":1)",
        "/data/sub",
        "overlaps");
  }

  @Test
  void sourcesTooBroadToMountAreRefused() throws IOException {
    refused(spec().mount(Path.of("/"), "/host").build(), "whole host filesystem");
    refused(spec().mount(home, "/host").build(), home.toString(), "too broad");
    refused(spec().mount(home.getParent(), "/host").build(), "it contains the home directory");
    refused(spec().storage(home).build(), "--storage", "too broad");
  }

  @Test
  void incusDataIsNeverMountedNorAnythingInsideOrAroundIt() throws IOException {
    Path incus = dir("incus");
    Path inside = Files.createDirectories(incus.resolve("containers/x"));
    environment.put("INCUS_DIR", incus.toString());
    refused(spec().mount(incus, "/x").build(), "Incus's data directory " + incus);
    refused(spec().mount(inside, "/x").build(), inside.toString(), "is inside Incus's data");
    refused(spec().mount(host, "/x").build(), "it contains Incus's data directory");
    refused(spec().mount(Path.of("/var/lib"), "/x").build(), "Incus's data directory");
  }

  @Test
  void aWorkspaceIsCheckedByTheSameRules() throws IOException {
    Path incus = dir("incus");
    Path project = Files.createDirectories(incus.resolve("project"));
    environment.put("INCUS_DIR", incus.toString());
    refused(
        Sessions.builder().workspace(project).build(),
        "workspace " + project + ": the source",
        "inside Incus's data directory");
  }

  @Test
  void aRelativeAgentStateDirectoryIsRefusedBeforeAnythingIsCreated() throws IOException {
    configure("[agent]\nstate_dir = \"state\"\n");
    refused(spec().build(), "agent.state_dir state is relative");
  }
}
