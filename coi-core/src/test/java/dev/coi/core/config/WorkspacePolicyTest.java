package dev.coi.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.ConfigException;
import dev.coi.api.Mount;
import dev.coi.api.Sessions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What an untrusted workspace's own .claude-on-incus.toml may set (docs/CONFIGURATION.md, "The
 * workspace's own file"), and how a user trusts a workspace.
 */
class WorkspacePolicyTest extends ConfigFilesTestBase {
  @Override
  String workspaceName() {
    return "src/app";
  }

  private static void write(Path file, String toml) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, toml);
  }

  private ConfigException refused(String projectToml) throws IOException {
    write(projectFile(), projectToml);
    return assertThrows(ConfigException.class, () -> loader().load(workspace()));
  }

  /** The one line that names the file, line, key and how to trust the workspace. */
  private void assertRefusal(ConfigException e, int line, String key) throws IOException {
    String message = e.getMessage();
    assertTrue(message.startsWith(projectFile() + ":" + line + ":"), message);
    assertTrue(message.contains(" " + key + " "), message);
    assertTrue(
        message.endsWith(
            "trust the workspace by adding \""
                + workspace()
                + "\" to security.trusted_workspaces in "
                + userFile()),
        message);
    assertFalse(message.contains("\n"), message);
  }

  /** A valid TOML value for a key of each type; a new type needs a sample here. */
  private static String sample(Key key) {
    switch (key.type()) {
      case BOOLEAN:
        return "true";
      case INTEGER:
        return "1";
      case PATH:
        return "\"/tmp/x\"";
      case STRING_LIST:
        return "[\"x\"]";
      case PATH_LIST:
        return "[\"/tmp/x\"]";
      case LIMIT:
        return "\"1\"";
      case STRING:
        return "\"x\"";
      default:
        throw new AssertionError("give " + key.type() + " a sample value in this test");
    }
  }

  @Test
  void everyKeyOutsideTheAllowListIsRefusedAtTheTopAndInAProfile() throws IOException {
    int checked = 0;
    for (Key key : Key.values()) {
      if (WorkspacePolicy.ALLOWED.contains(key)) {
        continue;
      }
      String top = "# a comment\n[" + key.section() + "]\n" + key.local() + " = " + sample(key);
      assertRefusal(refused(top), 3, key.dotted());
      String inProfile =
          "[profiles.p." + key.section() + "]\n" + key.local() + " = " + sample(key) + "\n";
      assertRefusal(refused(inProfile), 2, "profiles.p." + key.dotted());
      checked++;
    }
    // mounts, privileged, mount_claude_config, paths, incus, backend/store choice, security: far
    // more than the ten keys the allow list holds; a loop that checked nothing would pass quietly.
    assertTrue(checked >= 12, "only " + checked + " keys refused");
  }

  @Test
  void aKeyAddedLaterIsRefusedUnlessSomeoneAllowsItOnPurpose() {
    // The allow list names keys, so that a new key is outside it unless added to it.
    assertEquals(
        List.of(
            "defaults.image",
            "defaults.persistent",
            "defaults.slots",
            "agent.command",
            "agent.args",
            "agent.resume_flag",
            "agent.state_dir",
            "limits.cpu",
            "limits.memory",
            "limits.processes",
            "network.mode", // each only narrowing: theNetworkMayBeNarrowedAndNeverWidened
            "network.allow_cidrs",
            "network.allow_domains",
            "network.ports"),
        WorkspacePolicy.ALLOWED.stream().map(Key::dotted).toList());
  }

  @Test
  void mountsAreRefusedAtTheTopAndInAProfile() throws IOException {
    Path ssh = Files.createDirectories(home().resolve(".ssh"));
    ConfigException e =
        refused("[defaults]\nslots = 2\n[[mounts]]\nsource = \"" + ssh + "\"\ntarget = \"/k\"\n");
    assertRefusal(e, 3, "[[mounts]]");
    assertRefusal(
        refused("[[profiles.p.mounts]]\nsource = \"~/.ssh\"\ntarget = \"/k\"\n"),
        1,
        "[[profiles.p.mounts]]");
  }

  @Test
  void theAllowedKeysApplyWithoutTrust() throws IOException {
    write(
        projectFile(),
        "[defaults]\nimage = \"coi-sandbox\"\npersistent = true\nslots = 3\n"
            + "[agent]\ncommand = \"claude-stub\"\nargs = [\"-v\"]\nresume_flag = \"-r\"\n"
            + "state_dir = \"~/.agent\"\n"
            + "[limits]\ncpu = 2\nmemory = \"1GiB\"\nprocesses = 100\n"
            + "[environment]\nCI = \"true\"\n");

    Config c = loader().load(workspace());

    assertFalse(c.workspaceTrusted());
    assertTrue(c.defaults().persistent());
    assertEquals(3, c.defaults().slots());
    assertEquals("claude-stub", c.agent().command());
    assertEquals(List.of("-v"), c.agent().args());
    assertEquals("-r", c.agent().resumeFlag());
    assertEquals("~/.agent", c.agent().stateDir());
    assertEquals(Optional.of("2"), c.limits().cpu());
    assertEquals(Optional.of("1GiB"), c.limits().memory());
    assertEquals(Optional.of("100"), c.limits().processes());
    assertEquals(Map.of("CI", "true"), c.environment());
    assertEquals(
        Optional.of("project file " + projectFile() + ":3"), c.originOf("defaults.persistent"));
  }

  @Test
  void anImageMustBeOneTheUsersOwnLayersName() throws IOException {
    write(
        userFile(),
        "[defaults]\nimage = \"team-base\"\n[profiles.ci]\nimage = \"team-ci\"\n"
            + "[security]\nallowed_images = [\"node-dev\"]\n");
    Map<String, String> env = Map.of("CLAUDE_ON_INCUS_IMAGE", "from-env");
    for (String image : List.of("coi-sandbox", "team-base", "team-ci", "node-dev", "from-env")) {
      write(projectFile(), "[defaults]\nimage = \"" + image + "\"\n");
      assertEquals("from-env", loader(env).load(workspace()).defaults().image(), image);
      if (!image.equals("from-env")) {
        assertEquals(image, loader().load(workspace()).defaults().image());
      }
    }

    write(projectFile(), "[profiles.x]\nimage = \"coi-privileged\"\n");
    ConfigException e = assertThrows(ConfigException.class, () -> loader(env).load(workspace()));
    assertRefusal(e, 2, "profiles.x.image");
    assertTrue(
        e.getMessage()
            .contains(
                "\"coi-privileged\" is not an image an untrusted workspace may choose (allowed:"
                    + " \"coi-sandbox\", \"team-base\", \"team-ci\", \"from-env\", \"node-dev\")"),
        e.getMessage());
  }

  @Test
  void anImageTheSpecNamesDoesNotWidenWhatTheWorkspaceMayChoose() throws IOException {
    write(projectFile(), "[defaults]\nimage = \"other\"\n");
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> loader().load(Sessions.builder().workspace(workspace()).image("other").build()));
    assertRefusal(e, 2, "defaults.image");
  }

  /** Loads the workspace with each of {@code lines} in its file's {@code section}: none refused. */
  private void assertAccepted(String section, List<String> lines) throws IOException {
    for (String line : lines) {
      write(projectFile(), section + "\n" + line + "\n");
      loader().load(workspace());
    }
  }

  @Test
  void limitsMayBeLoweredAndNeverRaised() throws IOException {
    write(userFile(), "[limits]\ncpu = \"0-3\"\nmemory = \"4GiB\"\nprocesses = 500\n");
    assertAccepted(
        "[limits]",
        List.of(
            "cpu = \"1-2\"",
            "cpu = 4",
            "cpu = \"0-3\"",
            "memory = \"4GiB\"",
            "memory = \"4000MB\"",
            "memory = \"512MiB\"",
            "processes = 499"));
    for (String higher :
        List.of(
            "cpu = \"3-4\"",
            "cpu = 5",
            "memory = \"5GB\"",
            "memory = \"4097MiB\"",
            "memory = \"50%\"",
            "processes = 501",
            "processes = \"many\"")) {
      ConfigException e = refused("[limits]\n" + higher + "\n");
      assertRefusal(e, 2, "limits." + higher.substring(0, higher.indexOf(' ')));
      assertTrue(e.getMessage().contains("(user file " + userFile() + ":"), e.getMessage());
    }
  }

  @Test
  void theNetworkMayBeNarrowedAndNeverWidened() throws IOException {
    write(
        userFile(),
        "[network]\nmode = \"restricted\"\nallow_cidrs = [\"10.1.0.0/16\", \"fd12::/64\"]\n");
    assertAccepted(
        "[network]",
        List.of(
            "mode = \"restricted\"",
            "mode = \"allowlist\"",
            "mode = \"none\"",
            "allow_cidrs = [\"10.1.2.0/24\", \"fd12::5\"]",
            "allow_cidrs = []",
            "mode = \"allowlist\"\nallow_domains = [\"api.example.com\"]\nports = [\"8443\"]"));
    Config none = loader().load(workspace());
    assertEquals(dev.coi.api.NetworkMode.ALLOWLIST, none.network().mode());
    for (String wider :
        List.of(
            "mode = \"open\"",
            "allow_cidrs = [\"10.0.0.0/8\"]",
            "allow_cidrs = [\"169.254.169.254\"]")) {
      ConfigException e = refused("[network]\n" + wider + "\n");
      assertRefusal(e, 2, "network." + wider.substring(0, wider.indexOf(' ')));
      assertTrue(e.getMessage().contains("may only narrow the network"), e.getMessage());
    }
    // Under the user's allowlist, domains and ports narrow only within theirs.
    write(
        userFile(),
        "[network]\nmode = \"allowlist\"\nallow_domains = [\"a.example.com\"]\nports = [\"443\", \"8000-8100\"]\n");
    write(
        projectFile(), "[network]\nports = [\"8050-8060\"]\nallow_domains = [\"a.example.com\"]\n");
    loader().load(workspace());
    for (String wider :
        List.of(
            "allow_domains = [\"evil.example.net\"]",
            "ports = [\"22\"]",
            "mode = \"restricted\"")) {
      assertRefusal(
          refused("[network]\n" + wider + "\n"),
          2,
          "network." + wider.substring(0, wider.indexOf(' ')));
    }
  }

  @Test
  void malformedNetworkValuesAreRefusedWithTheFix() throws IOException {
    write(userFile(), "[network]\nmode = \"sometimes\"\n");
    ConfigException e = assertThrows(ConfigException.class, () -> loader().load(workspace()));
    assertTrue(e.getMessage().contains("use none, allowlist, restricted or open"), e.getMessage());
    write(userFile(), "[network]\nallow_cidrs = [\"example.com\"]\n");
    e = assertThrows(ConfigException.class, () -> loader().load(workspace()));
    assertTrue(e.getMessage().contains("network.allow_domains"), e.getMessage());
  }

  @Test
  void aLimitTheUsersLayersDoNotSetMayBeAnything() throws IOException {
    write(projectFile(), "[limits]\nmemory = \"64GiB\"\n");
    assertEquals(Optional.of("64GiB"), loader().load(workspace()).limits().memory());
  }

  @Test
  void aWorkspaceProfileIsCheckedAgainstTheUsersProfileOfTheSameName() throws IOException {
    write(userFile(), "[limits]\nmemory = \"8GiB\"\n[profiles.ci.limits]\nmemory = \"2GiB\"\n");
    write(projectFile(), "[profiles.big.limits]\nmemory = \"6GiB\"\n");
    assertEquals(Optional.of("6GiB"), loader().load(workspace(), "big").limits().memory());

    ConfigException e = refused("[profiles.ci.limits]\nmemory = \"6GiB\"\n");
    assertRefusal(e, 2, "profiles.ci.limits.memory");
  }

  @Test
  void aProfileOnlyTheWorkspaceDefinesMayBeChosenWithTheAllowedKeys() throws IOException {
    write(projectFile(), "[profiles.fast]\nslots = 2\nenvironment = { FAST = \"1\" }\n");
    Config c = loader().load(workspace(), "fast");
    assertEquals(2, c.defaults().slots());
    assertEquals(Map.of("FAST", "1"), c.environment());

    // Refused even when another profile is chosen: the whole file is refused.
    assertRefusal(refused("[profiles.evil]\nprivileged = true\n"), 2, "profiles.evil.privileged");
  }

  @Test
  void aTrustedWorkspaceMaySetEveryKey() throws IOException {
    write(userFile(), "[security]\ntrusted_workspaces = [\"" + workspace() + "\"]\n");
    write(
        projectFile(),
        "[defaults]\nprivileged = true\nimage = \"anything\"\n"
            + "[[mounts]]\nsource = \"/srv\"\ntarget = \"/srv\"\n");

    Config c = loader().load(workspace());

    assertTrue(c.workspaceTrusted());
    assertTrue(c.defaults().privileged());
    assertEquals("anything", c.defaults().image());
    assertEquals(List.of(Mount.of(Path.of("/srv"), "/srv")), c.mounts());
    assertTrue(
        c.describe()
            .startsWith(
                "# workspace "
                    + workspace()
                    + " is trusted (security.trusted_workspaces, user file "
                    + userFile()
                    + ":2)"),
        c.describe());
  }

  @Test
  void trustMatchesTheExactRealPathOnly() throws IOException {
    Path app = workspace();
    Path evil = Files.createDirectories(root.resolve("src/app-evil"));
    Path sub = Files.createDirectories(app.resolve("sub"));
    Path link = Files.createSymbolicLink(root.resolve("link-to-app"), app);
    write(userFile(), "[security]\ntrusted_workspaces = [\"" + app + "\"]\n");

    assertTrue(loader().load(app).workspaceTrusted());
    assertTrue(loader().load(link).workspaceTrusted(), "a link to a trusted workspace");
    assertFalse(loader().load(evil).workspaceTrusted(), "a name that starts the same");
    assertFalse(loader().load(sub).workspaceTrusted(), "a subdirectory");
    assertFalse(loader().load(root.resolve("src")).workspaceTrusted(), "the parent");
  }

  @Test
  void aTrustedEntryIsMatchedThroughLinksDotsAndTheHome() throws IOException {
    Path real = Files.createDirectories(home().resolve("work/app"));
    Files.createDirectories(root.resolve("links"));
    Path link = Files.createSymbolicLink(root.resolve("links/app"), real);
    write(
        userFile(),
        "[security]\ntrusted_workspaces = [\"" + link + "\", \"~/work/./x/../other/\"]\n");
    Path other = Files.createDirectories(home().resolve("work/other"));

    assertTrue(loader().load(real).workspaceTrusted(), "through a link in the entry");
    assertTrue(loader().load(other).workspaceTrusted(), "~ and dots in the entry");
  }

  @Test
  void theEnvironmentMayTrustWorkspacesSeparatedByColons() throws IOException {
    Path other = Files.createDirectories(root.resolve("other"));
    ConfigLoader loader =
        loader(Map.of("CLAUDE_ON_INCUS_SECURITY_TRUSTED_WORKSPACES", other + ":" + workspace()));
    assertTrue(loader.load(workspace()).workspaceTrusted());
    assertTrue(loader.load(other).workspaceTrusted());
    assertEquals(
        Optional.of("environment CLAUDE_ON_INCUS_SECURITY_TRUSTED_WORKSPACES"),
        loader.load(other).originOf("security.trusted_workspaces"));
  }

  @Test
  void aWorkspaceFileCanNeverTrustItselfEvenWhenTrusted() throws IOException {
    String selfTrust = "[security]\ntrusted_workspaces = [\".\"]\n";
    ConfigException e = refused(selfTrust);
    assertRefusal(e, 2, "security.trusted_workspaces");
    assertTrue(e.getMessage().contains("(a workspace cannot trust itself)"), e.getMessage());

    Map<String, String> env =
        Map.of("CLAUDE_ON_INCUS_SECURITY_TRUSTED_WORKSPACES", workspace().toString());
    e = assertThrows(ConfigException.class, () -> loader(env).load(workspace()));
    assertEquals(
        projectFile()
            + ":2:1: security.trusted_workspaces cannot be set in a workspace's own file (a"
            + " workspace cannot trust itself): set security.trusted_workspaces at the top of the"
            + " user or system file",
        e.getMessage());
    write(projectFile(), "[security]\nallowed_images = [\"x\"]\n");
    assertThrows(ConfigException.class, () -> loader(env).load(workspace()));
  }

  @Test
  void aProfileCannotTrustAWorkspace() throws IOException {
    write(userFile(), "[profiles.p.security]\ntrusted_workspaces = [\"" + workspace() + "\"]\n");
    ConfigException e = assertThrows(ConfigException.class, () -> loader().load(workspace()));
    assertEquals(
        userFile()
            + ":2:1: profiles.p.security.trusted_workspaces cannot be set in a profile: set"
            + " security.trusted_workspaces at the top of the user or system file",
        e.getMessage());
  }

  @Test
  void anUntrustedWorkspaceFileThatIsALinkIsRefusedUnread() throws IOException {
    Path secret = Files.writeString(root.resolve("secret"), "[defaults]\nimage = \"x\"\n");
    Files.createSymbolicLink(projectFile(), secret);
    ConfigException e = assertThrows(ConfigException.class, () -> loader().load(workspace()));
    assertTrue(
        e.getMessage()
            .startsWith(
                projectFile()
                    + ": is a symbolic link, and an untrusted workspace's config file must be a"
                    + " regular file"),
        e.getMessage());

    Files.delete(projectFile());
    Files.createSymbolicLink(projectFile(), root.resolve("nowhere"));
    assertThrows(ConfigException.class, () -> loader().load(workspace()), "a dangling link");
  }

  @Test
  void anUntrustedWorkspaceFileThatIsAFifoIsRefusedUnread() throws Exception {
    Path fifo = projectFile();
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertEquals(0, mkfifo.waitFor());
    // A writer waits on the fifo, so that a loader that opened it would read this valid file and
    // pass, rather than hang the build; a daemon thread, in case it is never read.
    Thread writer =
        new Thread(
            () -> {
              try {
                Files.writeString(fifo, "[defaults]\nslots = 2\n");
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    writer.setDaemon(true);
    writer.start();

    ConfigException e = assertThrows(ConfigException.class, () -> loader().load(workspace()));
    assertTrue(e.getMessage().contains(": is not a regular file, and "), e.getMessage());

    assertEquals("[defaults]\nslots = 2\n", Files.readString(fifo));
    writer.join();
  }

  @Test
  void anUntrustedWorkspaceFileLargerThanAMebibyteIsRefused() throws IOException {
    String padding = "#".repeat(TomlLayer.MAX_UNTRUSTED_BYTES) + "\n";
    ConfigException e = refused(padding + "[defaults]\nslots = 2\n");
    assertTrue(
        e.getMessage().contains(": is larger than " + TomlLayer.MAX_UNTRUSTED_BYTES + " bytes"),
        e.getMessage());
  }

  @Test
  void describeSaysTheWorkspaceIsNotTrustedAndWhatItsFileMaySet() throws IOException {
    Map<String, String> env = new HashMap<>();
    String described = loader(env).load(workspace()).describe();
    assertTrue(
        described.startsWith(
            "# workspace "
                + workspace()
                + " is not trusted: its .claude-on-incus.toml may set only [environment],"
                + " defaults.image, "),
        described);
    assertFalse(loader().load().describe().startsWith("#"), "no workspace, no trust line");
  }
}
