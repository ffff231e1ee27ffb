package dev.coi.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.Mount;
import dev.coi.api.Sessions;
import dev.coi.api.spi.RemoteDaemon;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest extends ConfigFilesTestBase {

  private static Path write(Path file, String toml) throws IOException {
    Files.createDirectories(file.getParent());
    return Files.writeString(file, toml);
  }

  /** A loader whose environment trusts the workspace, so its file may set every key. */
  private ConfigLoader trusting(Map<String, String> env) throws IOException {
    Map<String, String> trusting = new java.util.HashMap<>(env);
    trusting.put("CLAUDE_ON_INCUS_SECURITY_TRUSTED_WORKSPACES", workspace().toString());
    return loader(trusting);
  }

  @Test
  void protectedPathsAreReplacedByOneListAndAddedToByTheOther() throws IOException {
    List<String> defaults = loader().load().security().allProtectedPaths();
    assertTrue(
        defaults.containsAll(List.of(".git/hooks/", ".git/config", ".claude/settings.json")));

    write(userFile(), "[security]\nadditional_protected_paths = [\"Makefile\", \".envrc\"]\n");
    List<String> added = loader().load().security().allProtectedPaths();
    assertEquals(defaults.size() + 1, added.size());
    assertTrue(added.contains("Makefile"));

    write(userFile(), "[security]\nprotected_paths = [\".envrc\"]\n");
    assertEquals(List.of(".envrc"), loader().load().security().allProtectedPaths());
    assertTrue(
        loader().load().describe().contains("security.protected_paths = [\".envrc\"]"),
        loader().load().describe());
  }

  @Test
  void withoutFilesOrVariablesEveryKeyHasItsBuiltInDefault() {
    Config c = loader().load();

    assertEquals("coi-sandbox", c.defaults().image());
    assertFalse(c.defaults().privileged());
    assertFalse(c.defaults().persistent());
    assertTrue(c.defaults().mountClaudeConfig());
    assertEquals(10, c.defaults().slots());
    assertEquals("claude-", c.defaults().containerPrefix());
    assertEquals(home().resolve(".claude-on-incus/sessions"), c.paths().sessionsDir());
    assertEquals(Optional.empty(), c.paths().storageDir());
    assertEquals(Optional.empty(), c.incus().socket());
    assertEquals(Optional.empty(), c.incus().remote());
    assertEquals("claude", c.agent().command());
    assertEquals(List.of(), c.agent().args());
    assertEquals("--resume", c.agent().resumeFlag());
    assertEquals("~/.claude", c.agent().stateDir());
    assertEquals(Optional.empty(), c.limits().cpu());
    assertEquals(List.of(), c.mounts());
    assertEquals(Map.of(), c.environment());
    assertEquals(Optional.empty(), c.profile());
    assertEquals(Optional.of("built-in default"), c.originOf("defaults.image"));
  }

  @Test
  void eachLayerOverridesTheOneBelowKeyByKey() throws IOException {
    write(systemFile(), "[defaults]\nimage = \"from-system\"\nslots = 3\nprivileged = true\n");
    write(userFile(), "[defaults]\nimage = \"from-user\"\npersistent = true\n");
    write(projectFile(), "[defaults]\nimage = \"from-project\"\n[agent]\nresume_flag = \"--p\"\n");

    Config files = trusting(Map.of()).load(workspace());
    assertEquals("from-project", files.defaults().image());
    assertEquals(3, files.defaults().slots());
    assertTrue(files.defaults().privileged());
    assertTrue(files.defaults().persistent());
    assertEquals("--p", files.agent().resumeFlag());
    assertEquals(
        Optional.of("project file " + projectFile() + ":2"), files.originOf("defaults.image"));
    assertEquals(
        Optional.of("system file " + systemFile() + ":3"), files.originOf("defaults.slots"));

    Config env = trusting(Map.of("CLAUDE_ON_INCUS_IMAGE", "from-env")).load(workspace());
    assertEquals("from-env", env.defaults().image());
    assertEquals(3, env.defaults().slots());

    Config spec =
        trusting(Map.of("CLAUDE_ON_INCUS_IMAGE", "from-env"))
            .load(Sessions.builder().workspace(workspace()).image("from-spec").build());
    assertEquals("from-spec", spec.defaults().image());
    assertEquals(Optional.of("flag or builder call"), spec.originOf("defaults.image"));
  }

  @Test
  void aKeyALayerOmitsKeepsTheValueFromBelowEvenForBooleans() throws IOException {
    write(userFile(), "[defaults]\npersistent = true\nmount_claude_config = false\n");
    write(projectFile(), "[defaults]\nslots = 2\n");

    Config c = loader().load(workspace());

    assertTrue(c.defaults().persistent());
    assertFalse(c.defaults().mountClaudeConfig());
  }

  @Test
  void aSpecThatDoesNotAskForPersistenceLeavesTheConfiguredValue() throws IOException {
    write(userFile(), "[defaults]\npersistent = true\n");

    assertTrue(
        loader().load(Sessions.builder().workspace(workspace()).build()).defaults().persistent());
    assertTrue(
        loader()
            .load(Sessions.builder().workspace(workspace()).persistent().build())
            .defaults()
            .persistent());
  }

  @Test
  void aSpecsPrivilegeAndStorageAreExplicitSettingsThatDescribeShows() throws IOException {
    write(userFile(), "[paths]\nstorage_dir = \"/from/file\"\n");
    Config plain = loader().load(Sessions.builder().workspace(workspace()).build());
    assertFalse(plain.defaults().privileged());
    assertEquals(Optional.of(Path.of("/from/file")), plain.paths().storageDir());

    Config c =
        loader()
            .load(
                Sessions.builder()
                    .workspace(workspace())
                    .privileged()
                    .storage(Path.of("/srv/storage/../data"))
                    .build());

    assertTrue(c.defaults().privileged());
    assertEquals(Optional.of(Path.of("/srv/data")), c.paths().storageDir());
    assertEquals(Optional.of("flag or builder call"), c.originOf("defaults.privileged"));
    assertTrue(
        c.describe().contains("defaults.privileged = true ")
            && c.describe().contains("paths.storage_dir = \"/srv/data\" "),
        c.describe());
  }

  @Test
  void aSpecThatDoesNotAskForPrivilegeLeavesTheConfiguredValue() throws IOException {
    write(userFile(), "[defaults]\nprivileged = true\n");

    assertTrue(
        loader().load(Sessions.builder().workspace(workspace()).build()).defaults().privileged());
  }

  @Test
  void withoutAWorkspaceNoProjectFileIsRead() throws IOException {
    write(projectFile(), "[defaults]\nimage = \"from-project\"\n");

    assertEquals("coi-sandbox", loader().load().defaults().image());
  }

  @Test
  void theUserFileFollowsXdgConfigHomeWhenItIsAbsolute() {
    Path home = Path.of("/home/me");
    assertEquals(
        Path.of("/home/me/.config/claude-on-incus/config.toml"),
        ConfigLoader.userFile(Map.of(), home));
    assertEquals(
        Path.of("/xdg/claude-on-incus/config.toml"),
        ConfigLoader.userFile(Map.of("XDG_CONFIG_HOME", "/xdg"), home));
    assertEquals(
        Path.of("/home/me/.config/claude-on-incus/config.toml"),
        ConfigLoader.userFile(Map.of("XDG_CONFIG_HOME", "relative"), home));
  }

  @Test
  void aLoaderOverAnXdgDirectoryReadsTheFileThere() throws IOException {
    Path xdg = root.resolve("xdg");
    write(xdg.resolve("claude-on-incus/config.toml"), "[defaults]\nimage = \"xdg\"\n");
    Map<String, String> env = Map.of("XDG_CONFIG_HOME", xdg.toString());

    Config c =
        ConfigLoader.builder()
            .userFile(ConfigLoader.userFile(env, home()))
            .environment(env)
            .home(home())
            .build()
            .load();

    assertEquals("xdg", c.defaults().image());
  }

  @Test
  void pathsInFilesAreRelativeToTheFileAndTildeIsTheHome() throws IOException {
    write(
        userFile(),
        "[paths]\nsessions_dir = \"~/sessions\"\nstorage_dir = \"../store\"\n"
            + "[incus]\nsocket = \"/run/x.socket\"\n");
    write(projectFile(), "[[mounts]]\nsource = \"data\"\ntarget = \"/data/\"\n");

    Config c = trusting(Map.of()).load(workspace());

    assertEquals(home().resolve("sessions"), c.paths().sessionsDir());
    assertEquals(
        Optional.of(userFile().getParent().getParent().resolve("store")), c.paths().storageDir());
    assertEquals(Optional.of(Path.of("/run/x.socket")), c.incus().socket());
    assertEquals(List.of(Mount.of(workspace().resolve("data"), "/data")), c.mounts());
  }

  @Test
  void mountsMergeByTargetAHigherLayerReplacingTheSameTarget() throws IOException {
    write(
        userFile(),
        "[[mounts]]\nsource = \"/a\"\ntarget = \"/one\"\n"
            + "[[mounts]]\nsource = \"/b\"\ntarget = \"/two\"\n");
    write(
        projectFile(),
        "[[mounts]]\nsource = \"/c\"\ntarget = \"/two\"\nreadonly = true\n"
            + "[[mounts]]\nsource = \"/d\"\ntarget = \"/three\"\n");

    Config c = trusting(Map.of()).load(workspace());

    assertEquals(
        List.of(
            Mount.of(Path.of("/a"), "/one"),
            Mount.of(Path.of("/d"), "/three"),
            Mount.of(Path.of("/c"), "/two").withReadOnly(true)),
        c.mounts());
    assertEquals(Optional.of("project file " + projectFile() + ":1"), c.originOf("mounts[/two]"));
  }

  @Test
  void aProfileAppliesOverFilesAndEnvironmentAndUnderTheSpec() throws IOException {
    write(
        userFile(),
        "[defaults]\nimage = \"base\"\n"
            + "[profiles.ci]\nimage = \"ci-image\"\npersistent = true\n"
            + "environment = { CI = \"true\", LEVEL = \"user\" }\n"
            + "[profiles.ci.limits]\nmemory = \"4GiB\"\n"
            + "[profiles.dev]\nslots = 2\n");
    write(
        projectFile(),
        "[profiles.ci]\nenvironment = { LEVEL = \"project\" }\n[profiles.ci.agent]\nargs = [\"-p\"]\n");
    Map<String, String> env = Map.of("CLAUDE_ON_INCUS_IMAGE", "from-env");

    Config none = loader(env).load(workspace());
    assertEquals("from-env", none.defaults().image());
    assertEquals(Map.of(), none.environment());
    assertEquals(Set.of("ci", "dev"), none.profileNames());

    Config ci = loader(env).load(workspace(), "ci");
    assertEquals(Optional.of("ci"), ci.profile());
    assertEquals("ci-image", ci.defaults().image());
    assertTrue(ci.defaults().persistent());
    assertEquals(Optional.of("4GiB"), ci.limits().memory());
    assertEquals(List.of("-p"), ci.agent().args());
    assertEquals(Map.of("CI", "true", "LEVEL", "project"), ci.environment());
    assertEquals(10, ci.defaults().slots());
    assertEquals(
        Optional.of("profile ci, user file " + userFile() + ":4"), ci.originOf("defaults.image"));

    Config spec =
        loader(env)
            .load(
                Sessions.builder()
                    .workspace(workspace())
                    .profile("ci")
                    .putEnvironment("LEVEL", "spec")
                    .image("spec-image")
                    .build());
    assertEquals("spec-image", spec.defaults().image());
    assertEquals(Map.of("CI", "true", "LEVEL", "spec"), spec.environment());
  }

  @Test
  void aProfileMaySpellItsSectionsOut() throws IOException {
    write(
        userFile(),
        "[profiles.x.defaults]\nimage = \"i\"\n[profiles.x.incus.remote]\naddress = \"https://h:8443\"\n"
            + "[[profiles.x.mounts]]\nsource = \"/s\"\ntarget = \"/t\"\n");

    Config c = loader().load(workspace(), "x");

    assertEquals("i", c.defaults().image());
    assertEquals("https://h:8443", c.incus().remote().orElseThrow().address());
    assertEquals(List.of(Mount.of(Path.of("/s"), "/t")), c.mounts());
  }

  @Test
  void aTopLevelEnvironmentTableReachesEverySession() throws IOException {
    write(userFile(), "[environment]\nA = \"1\"\nB = \"user\"\n");
    write(projectFile(), "environment.B = \"project\"\n");

    assertEquals(Map.of("A", "1", "B", "project"), loader().load(workspace()).environment());
  }

  @Test
  void everySectionIsRead() throws IOException {
    write(
        userFile(),
        "[defaults]\nimage = \"i\"\nprivileged = true\npersistent = true\nmount_claude_config = false\n"
            + "slots = 4\ncontainer_prefix = \"my-\"\n"
            + "[paths]\nsessions_dir = \"/s\"\nstorage_dir = \"/st\"\n"
            + "[incus]\nsocket = \"/sock\"\n"
            + "[incus.remote]\naddress = \"https://h:8443\"\nclient_certificate = \"c.pem\"\n"
            + "client_key = \"k.pem\"\nserver_certificate = \"/srv.pem\"\n"
            + "[agent]\ncommand = \"claude-stub\"\nargs = [\"--x\", \"y\"]\nresume_flag = \"--continue\"\n"
            + "state_dir = \"~/.stub\"\n"
            + "[limits]\ncpu = 2\nmemory = \"4GiB\"\nprocesses = \"500\"\n");

    Config c = loader().load();

    assertEquals(
        List.of("i", true, true, false, 4, "my-"),
        List.of(
            c.defaults().image(),
            c.defaults().privileged(),
            c.defaults().persistent(),
            c.defaults().mountClaudeConfig(),
            c.defaults().slots(),
            c.defaults().containerPrefix()));
    assertEquals(Path.of("/s"), c.paths().sessionsDir());
    assertEquals(Optional.of(Path.of("/st")), c.paths().storageDir());
    assertEquals(Optional.of(Path.of("/sock")), c.incus().socket());
    RemoteDaemon remote = c.incus().remote().orElseThrow();
    assertEquals("https://h:8443", remote.address());
    assertEquals(Optional.of(userFile().resolveSibling("c.pem")), remote.clientCertificate());
    assertEquals(Optional.of(userFile().resolveSibling("k.pem")), remote.clientKey());
    assertEquals(Optional.of(Path.of("/srv.pem")), remote.serverCertificate());
    assertEquals(Optional.empty(), remote.serverFingerprint());
    assertEquals(Optional.empty(), remote.caCertificate());
    assertEquals("claude-stub", c.agent().command());
    assertEquals(List.of("--x", "y"), c.agent().args());
    assertEquals("--continue", c.agent().resumeFlag());
    assertEquals("~/.stub", c.agent().stateDir());
    assertEquals(Optional.of("2"), c.limits().cpu());
    assertEquals(Optional.of("4GiB"), c.limits().memory());
    assertEquals(Optional.of("500"), c.limits().processes());
  }

  @Test
  void aRemoteMayBeTrustedByFingerprintOrByItsCa() throws IOException {
    write(userFile(), "[incus.remote]\naddress = \"https://h\"\nserver_fingerprint = \"ab:cd\"\n");
    assertEquals(
        Optional.of("ab:cd"), loader().load().incus().remote().orElseThrow().serverFingerprint());

    write(userFile(), "[incus.remote]\naddress = \"https://h\"\nca_certificate = \"ca.crt\"\n");
    assertEquals(
        Optional.of(userFile().resolveSibling("ca.crt")),
        loader().load().incus().remote().orElseThrow().caCertificate());
  }

  @Test
  void environmentVariablesSetEveryKindOfKeyInLongAndShortForm() {
    Map<String, String> env =
        Map.of(
            "CLAUDE_ON_INCUS_PERSISTENT", "true",
            "CLAUDE_ON_INCUS_DEFAULTS_SLOTS", "4",
            "CLAUDE_ON_INCUS_CONTAINER_PREFIX", "coi-test-",
            "CLAUDE_ON_INCUS_SESSIONS_DIR", "rel/sessions",
            "CLAUDE_ON_INCUS_PATHS_STORAGE_DIR", "~/store",
            "CLAUDE_ON_INCUS_INCUS_REMOTE_ADDRESS", "https://h:8443",
            "CLAUDE_ON_INCUS_AGENT_ARGS", " --a  b ",
            "CLAUDE_ON_INCUS_LIMITS_MEMORY", "2GiB",
            "CLAUDE_ON_INCUS_IMAGE", "",
            "PATH", "/usr/bin");

    Config c = loader(env).load();

    assertTrue(c.defaults().persistent());
    assertEquals(4, c.defaults().slots());
    assertEquals("coi-test-", c.defaults().containerPrefix());
    assertEquals(root.resolve("rel/sessions"), c.paths().sessionsDir());
    assertEquals(Optional.of(home().resolve("store")), c.paths().storageDir());
    assertEquals("https://h:8443", c.incus().remote().orElseThrow().address());
    assertEquals(List.of("--a", "b"), c.agent().args());
    assertEquals(Optional.of("2GiB"), c.limits().memory());
    assertEquals("coi-sandbox", c.defaults().image(), "an empty variable counts as unset");
    assertEquals(
        Optional.of("environment CLAUDE_ON_INCUS_DEFAULTS_SLOTS"), c.originOf("defaults.slots"));
  }

  @Test
  void booleanVariablesAcceptTheUsualSpellings() {
    for (String yes : List.of("true", "TRUE", "1", "yes")) {
      assertTrue(loader(Map.of("CLAUDE_ON_INCUS_PRIVILEGED", yes)).load().defaults().privileged());
    }
    for (String no : List.of("false", "0", "no")) {
      assertFalse(
          loader(Map.of("CLAUDE_ON_INCUS_MOUNT_CLAUDE_CONFIG", no))
              .load()
              .defaults()
              .mountClaudeConfig());
    }
  }

  @Test
  void theLongAndShortFormMayBothBeSetToTheSameValue() {
    Config c =
        loader(Map.of("CLAUDE_ON_INCUS_IMAGE", "x", "CLAUDE_ON_INCUS_DEFAULTS_IMAGE", "x")).load();
    assertEquals("x", c.defaults().image());
  }

  @Test
  void theLoaderNeverPrintsTheEnvironment() {
    String shown = loader(Map.of("GITHUB_TOKEN", "secret-value")).toString();
    assertFalse(shown.contains("secret-value"), shown);
  }

  @Test
  void anUnknownVariableIsIgnored() {
    assertEquals(
        "coi-sandbox", loader(Map.of("CLAUDE_ON_INCUS_IMAGEE", "x")).load().defaults().image());
  }

  @Test
  void describeGivesEveryKeyItsValueAndItsLayer() throws IOException {
    write(
        userFile(),
        "[defaults]\nslots = 4\n[[mounts]]\nsource = \"/srv/data\"\ntarget = \"/data\"\n"
            + "[profiles.ci]\nenvironment = { CI = \"true\" }\n");

    String described =
        loader(Map.of("CLAUDE_ON_INCUS_IMAGE", "coi-test-min")).load(workspace(), "ci").describe();

    List<String> lines = described.lines().toList();
    assertEquals(Key.values().length + 3, lines.size(), described);
    assertTrue(
        lines.get(0).startsWith("# workspace " + workspace() + " is not trusted: its "), described);
    assertLine(lines, "defaults.image = \"coi-test-min\"", "(environment CLAUDE_ON_INCUS_IMAGE)");
    assertLine(lines, "defaults.slots = 4", "(user file " + userFile() + ":2)");
    assertLine(lines, "defaults.persistent = false", "(built-in default)");
    assertLine(lines, "agent.args = []", "(built-in default)");
    assertLine(
        lines,
        "paths.sessions_dir = \"" + home().resolve(".claude-on-incus/sessions") + "\"",
        "(built-in default)");
    assertLine(
        lines,
        "mounts[/data] = { source = \"/srv/data\", readonly = false }",
        "(user file " + userFile() + ":3)");
    assertLine(lines, "environment.CI = \"true\"", "(profile ci, user file " + userFile() + ":7)");
    assertTrue(lines.contains("incus.socket is not set"), described);
    // The origins line up in one column.
    int column = lines.get(1).indexOf("   (") + 3;
    for (String line : lines) {
      if (!line.endsWith("is not set") && !line.startsWith("#")) {
        assertEquals(column, line.indexOf('('), line);
      }
    }
  }

  private static void assertLine(List<String> lines, String setting, String origin) {
    assertTrue(
        lines.stream()
            .anyMatch(
                l ->
                    l.startsWith(setting + " ")
                        && l.endsWith(origin)
                        && l.matches(".*\\S {3,}\\(.*")),
        setting + " " + origin + " in\n" + String.join("\n", lines));
  }
}
