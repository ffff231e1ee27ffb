package dev.coi.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.ConfigException;
import dev.coi.api.InvalidSpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every configuration mistake is one line that says where it is and what would be right. */
class ConfigErrorsTest {
  @TempDir Path root;

  private Path file() {
    return root.resolve("config.toml");
  }

  private ConfigLoader loader(Map<String, String> env) {
    return ConfigLoader.builder()
        .userFile(file())
        .environment(env)
        .home(root.resolve("home"))
        .build();
  }

  private String errorFor(String toml) throws IOException {
    Files.writeString(file(), toml);
    return message(() -> loader(Map.of()).load());
  }

  private static String message(Runnable load) {
    ConfigException e = assertThrows(ConfigException.class, load::run);
    assertTrue(e instanceof InvalidSpecException);
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    return e.getMessage();
  }

  @Test
  void malformedTomlNamesTheFileLineAndColumn() throws IOException {
    assertEquals(
        file() + ":2:11: invalid TOML: Unexpected end of line, expected \" or a character",
        errorFor("[defaults]\nimage = \"x\n"));
  }

  @Test
  void theFirstOfSeveralSyntaxErrorsIsReported() throws IOException {
    String m = errorFor("[defaults]\nimage = \"x\"\nimage = \"y\"\nslots = abc\n");
    assertTrue(m.startsWith(file() + ":3:1: invalid TOML: image previously defined"), m);
  }

  @Test
  void anUnknownKeyNamesTheClosestKnownOne() throws IOException {
    assertEquals(
        file() + ":3:3: unknown key 'defaults.persistnt': did you mean 'persistent'?",
        errorFor("[defaults]\nimage = \"x\"\n  persistnt = true\n"));
  }

  @Test
  void anUnknownSectionNamesTheClosestKnownOne() throws IOException {
    assertEquals(
        file() + ":1:1: unknown key 'defualts': did you mean 'defaults'?",
        errorFor("[defualts]\nimage = \"x\"\n"));
  }

  @Test
  void anUnknownKeyFarFromAnyListsTheKnownOnes() throws IOException {
    assertEquals(
        file() + ":2:1: unknown key 'limits.gpu_count': known keys here: cpu, memory, processes",
        errorFor("[limits]\ngpu_count = 1\n"));
  }

  @Test
  void unknownKeysAreFoundInNestedTablesMountsAndProfiles() throws IOException {
    assertEquals(
        file() + ":2:1: unknown key 'incus.remote.adress': did you mean 'address'?",
        errorFor("[incus.remote]\nadress = \"https://h\"\n"));
    assertEquals(
        file() + ":3:1: unknown key 'mounts.readOnly': did you mean 'readonly'?",
        errorFor("[[mounts]]\nsource = \"/a\"\nreadOnly = true\ntarget = \"/b\"\n"));
    assertEquals(
        file() + ":2:1: unknown key 'profiles.ci.imagee': did you mean 'image'?",
        errorFor("[profiles.ci]\nimagee = \"x\"\n"));
    assertEquals(
        file() + ":2:1: unknown key 'profiles.ci.limits.cpus': did you mean 'cpu'?",
        errorFor("[profiles.ci.limits]\ncpus = \"2\"\n"));
  }

  @Test
  void aWrongTypeNamesTheKeyAndTheExpectedType() throws IOException {
    assertEquals(
        file() + ":2:1: defaults.persistent must be a boolean (true or false), not a string",
        errorFor("[defaults]\npersistent = \"yes\"\n"));
    assertEquals(
        file() + ":1:1: defaults.slots must be an integer, not a float",
        errorFor("defaults.slots = 2.5\n"));
    assertEquals(
        file() + ":2:1: agent.args must be an array of strings, but item 2 is an integer",
        errorFor("[agent]\nargs = [\"a\", 1]\n"));
    assertEquals(
        file() + ":1:1: defaults must be a table ([defaults]), not a string",
        errorFor("defaults = \"x\"\n"));
    assertEquals(
        file() + ":1:1: incus.remote must be a table ([incus.remote]), not a string",
        errorFor("incus.remote = \"x\"\n"));
    assertEquals(
        file() + ":2:1: profiles.ci.environment.A must be a string, not an integer",
        errorFor("[profiles.ci.environment]\nA = 1\n"));
    assertEquals(
        file() + ":1:1: mounts must be an array of tables ([[mounts]]), not a table",
        errorFor("[mounts]\nsource = \"/a\"\n"));
  }

  @Test
  void valuesOutOfRangeAreRefused() throws IOException {
    assertEquals(
        file() + ":2:1: defaults.slots must be 1 or more, not 0",
        errorFor("[defaults]\nslots = 0\n"));
    assertEquals(
        file()
            + ":2:1: defaults.container_prefix is not a valid name start (\"Bad_\"): use lower-case"
            + " letters, digits and '-'",
        errorFor("[defaults]\ncontainer_prefix = \"Bad_\"\n"));
    assertEquals(file() + ":2:1: defaults.image is empty", errorFor("[defaults]\nimage = \"\"\n"));
  }

  @Test
  void badMountsAreRefusedWithTheirPlace() throws IOException {
    assertEquals(
        file() + ":1:1: a mounts entry needs a target", errorFor("[[mounts]]\nsource = \"/a\"\n"));
    assertEquals(
        file() + ":3:1: mounts.target \"data\" is relative: give an absolute path in the container",
        errorFor("[[mounts]]\nsource = \"/a\"\ntarget = \"data\"\n"));
    assertEquals(
        file() + ":6:1: mounts target /b is given twice (also at user file " + file() + ":1)",
        errorFor(
            "[[mounts]]\nsource = \"/a\"\ntarget = \"/b\"\n"
                + "[[mounts]]\nsource = \"/c\"\ntarget = \"/b/\"\n"));
  }

  @Test
  void aBadEnvironmentNameInAProfileIsRefused() throws IOException {
    assertEquals(
        file()
            + ":1:29: profiles.ci.environment variable name \"A-B\" is invalid: use letters,"
            + " digits and '_'",
        errorFor("profiles.ci.environment = { \"A-B\" = \"x\" }\n"));
  }

  @Test
  void aKeyGivenTwiceInOneProfileIsRefused() throws IOException {
    String m = errorFor("[profiles.ci]\nimage = \"a\"\n[profiles.ci.defaults]\nimage = \"b\"\n");
    assertTrue(m.startsWith(file() + ":"), m);
    assertTrue(m.contains("image is given twice in this profile"), m);
  }

  @Test
  void remoteCredentialsWithoutAnAddressAreRefused() throws IOException {
    assertEquals(
        "incus.remote.client_certificate is set (user file "
            + file()
            + ":2) but incus.remote.address is not: give the remote's address, or remove it",
        errorFor("[incus.remote]\nclient_certificate = \"c.pem\"\n"));
  }

  @Test
  void aRemoteTrustedTwoWaysIsRefusedNamingBoth() throws IOException {
    Files.writeString(
        file(), "[incus.remote]\naddress = \"https://h\"\nserver_certificate = \"s.crt\"\n");
    ConfigLoader loader = loader(Map.of("CLAUDE_ON_INCUS_INCUS_REMOTE_SERVER_FINGERPRINT", "ab"));

    assertEquals(
        "incus.remote.server_certificate (user file "
            + file()
            + ":3) and incus.remote.server_fingerprint (environment"
            + " CLAUDE_ON_INCUS_INCUS_REMOTE_SERVER_FINGERPRINT) are both set: trust the remote"
            + " daemon one way, keep one of them",
        message(loader::load));
  }

  @Test
  void anUnknownProfileListsTheKnownOnes() throws IOException {
    Files.writeString(file(), "[profiles.ci]\nimage = \"a\"\n[profiles.dev]\nslots = 2\n");
    assertEquals(
        "unknown profile 'cj': known profiles are ci, dev",
        message(() -> loader(Map.of()).load(root, "cj")));
  }

  @Test
  void anUnknownProfileWithNoProfilesSaysWhereItLooked() {
    assertEquals(
        "unknown profile 'ci': no configuration file defines a profile (looked in "
            + file()
            + ", "
            + root.resolve(".claude-on-incus.toml")
            + ")",
        message(() -> loader(Map.of()).load(root, "ci")));
  }

  @Test
  void aMissingFileIsFineButAnUnreadableOneIsAnError() throws IOException {
    assertEquals("coi-sandbox", loader(Map.of()).load().defaults().image());

    Files.createDirectories(file());
    String m = message(() -> loader(Map.of()).load());
    assertTrue(m.startsWith("cannot read user config file " + file() + ": "), m);
  }

  @Test
  void aFileThatIsNotUtf8IsAnError() throws IOException {
    Files.write(file(), new byte[] {'a', ' ', '=', ' ', '"', (byte) 0xff, '"'});
    assertEquals(
        "cannot read user config file " + file() + ": not UTF-8 text",
        message(() -> loader(Map.of()).load()));
  }

  @Test
  void aBadEnvironmentValueNamesTheVariable() {
    assertEnvironmentRefused(
        "CLAUDE_ON_INCUS_DEFAULTS_SLOTS",
        "abc",
        "environment variable CLAUDE_ON_INCUS_DEFAULTS_SLOTS=abc: defaults.slots must be an integer");
    assertEnvironmentRefused(
        "CLAUDE_ON_INCUS_PERSISTENT",
        "maybe",
        "environment variable CLAUDE_ON_INCUS_PERSISTENT=maybe: defaults.persistent must be a"
            + " boolean (true or false)");
    assertEnvironmentRefused(
        "CLAUDE_ON_INCUS_SLOTS",
        "0",
        "environment variable CLAUDE_ON_INCUS_SLOTS=0: defaults.slots must be 1 or more, not 0");
    assertEnvironmentRefused(
        "CLAUDE_ON_INCUS_DEFAULTS_SLOTS",
        "1\n2",
        "environment variable CLAUDE_ON_INCUS_DEFAULTS_SLOTS=\"1\\n2\": defaults.slots must be"
            + " an integer");
  }

  /** Loading with {@code variable} set to {@code value} fails with {@code expected}. */
  private void assertEnvironmentRefused(String variable, String value, String expected) {
    assertEquals(expected, message(() -> loader(Map.of(variable, value)).load()));
  }

  @Test
  void keysThatWereNeverAppliedAreRefusedWithTheReasonAndTheFix() throws IOException {
    for (String line : List.of("project = \"p\"", "group = \"g\"", "claude_uid = 1001")) {
      String key = "incus." + line.substring(0, line.indexOf(' '));
      String message = errorFor("[incus]\n" + line + "\n");
      assertTrue(message.startsWith(file() + ":2:1: '" + key + "' is no longer read: "), message);
      assertTrue(message.endsWith("remove the key"), message);
    }
    Files.delete(file());
    assertEquals(
        "environment variable CLAUDE_ON_INCUS_INCUS_PROJECT: incus.project is no longer read: coi"
            + " makes its containers in Incus's default project; remove the key",
        message(() -> loader(Map.of("CLAUDE_ON_INCUS_INCUS_PROJECT", "p")).load()));
  }

  @Test
  void theLongAndShortFormSetToDifferentValuesIsAnError() {
    assertEquals(
        "environment variables CLAUDE_ON_INCUS_DEFAULTS_IMAGE and CLAUDE_ON_INCUS_IMAGE both set"
            + " defaults.image, to different values: unset one",
        message(
            () ->
                loader(Map.of("CLAUDE_ON_INCUS_IMAGE", "a", "CLAUDE_ON_INCUS_DEFAULTS_IMAGE", "b"))
                    .load()));
  }
}
