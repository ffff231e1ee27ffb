package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.coi.tck.LiveBackendTestBase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code coi doctor} and {@code coi doctor --fix} on the id delegation, against the real daemon,
 * with copies of {@code /etc/subuid} and {@code /etc/subgid} ({@value SubidFix#TEST_DIRECTORY}):
 * the machine's own files are never edited by a test.
 */
class CoiDoctorIT extends LiveBackendTestBase {
  private static final String DELEGATED = "root:1000000:1000000000\nroot:0:1\nroot:1000:1\n";

  @TempDir Path etc;
  private CoiCli coi;

  @BeforeEach
  void filesAndAForeignOwner() throws IOException {
    Files.writeString(etc.resolve("subuid"), DELEGATED);
    Files.writeString(etc.resolve("subgid"), DELEGATED);
    // A workspace of a user who is neither root nor the agent: its ids need lines of their own.
    Files.setAttribute(workspace, "unix:uid", 4242);
    Files.setAttribute(workspace, "unix:gid", 4243);
    coi = new CoiCli(workspace, TEST_PREFIX).with(SubidFix.TEST_DIRECTORY, etc.toString());
  }

  @Test
  void doctorReportsTheMissingLinesAndExits1() {
    CoiCli.Result text = coi.run("doctor");
    assertEquals(1, text.exitCode(), text.stdout() + text.stderr());
    assertTrue(text.stdout().contains("[FAIL] id mapping: uid 4242:4243"), text.stdout());
    assertTrue(text.stdout().contains("root:4242:1 to " + etc.resolve("subuid")), text.stdout());
    assertTrue(text.stdout().contains("root:4243:1 to " + etc.resolve("subgid")), text.stdout());
    assertTrue(text.stdout().contains("sudo coi doctor --fix"), text.stdout());

    JsonNode idMapping = idMapping(coi.run("doctor", "--format", "json"));
    assertEquals("failed", idMapping.path("status").asText(), idMapping.toString());
  }

  @Test
  void fixAddsTheLinesOfTheSudoUserAndTheOwnerOnce() throws IOException {
    CoiCli sudo = coi.with("SUDO_UID", "4343").with("SUDO_GID", "4344").with("SUDO_USER", "bob");
    CoiCli.Result fixed = sudo.run("doctor", "--fix", "--format", "json");
    assertEquals(0, fixed.exitCode(), fixed.stdout() + fixed.stderr());
    assertEquals("ok", idMapping(fixed).path("status").asText(), fixed.stdout());
    assertEquals(DELEGATED + "root:4343:1\nroot:4242:1\n", read("subuid"));
    assertEquals(DELEGATED + "root:4344:1\nroot:4243:1\n", read("subgid"));
    assertTrue(fixed.stderr().contains("added root:4343:1 to " + etc.resolve("subuid")));
    assertTrue(fixed.stderr().contains("restart"), fixed.stderr());

    CoiCli.Result again = sudo.run("doctor", "--fix");
    assertEquals(0, again.exitCode(), again.stdout() + again.stderr());
    assertEquals("Nothing to fix in /etc/subuid and /etc/subgid.\n", again.stderr());
    assertEquals(DELEGATED + "root:4343:1\nroot:4242:1\n", read("subuid"));
    assertEquals(DELEGATED + "root:4344:1\nroot:4243:1\n", read("subgid"));
  }

  @Test
  void aMalformedFileIsRefusedAndNeitherFileTouched() throws IOException {
    String malformed = "root:1000000:1000000000\nroot:100:lots\n";
    Files.writeString(etc.resolve("subuid"), malformed);
    CoiCli.Result r = coi.run("doctor", "--fix");
    assertOneLineError(r, etc.resolve("subuid") + " line 2 is not NAME:START:COUNT");
    assertEquals(malformed, read("subuid"));
    assertEquals(DELEGATED, read("subgid"));

    Files.writeString(etc.resolve("subuid"), DELEGATED);
    CoiCli.Result badSudo = coi.with("SUDO_UID", "bob").run("doctor", "--fix");
    assertOneLineError(badSudo, "SUDO_UID is 'bob', not a user id");
    assertEquals(DELEGATED, read("subuid"));
    assertEquals(DELEGATED, read("subgid"));
  }

  @Test
  void fixIsRefusedToAUserOtherThanRoot(@TempDir Path anyoneMayRead) throws Exception {
    // The checkout may be where that user cannot read (a clone in /root, or in a 0700 directory).
    Files.setPosixFilePermissions(anyoneMayRead, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path jar = Files.copy(Path.of("target", "coi.jar"), anyoneMayRead.resolve("coi.jar"));
    Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
    ProcessBuilder pb =
        new ProcessBuilder(
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "java",
                "-jar",
                jar.toString(),
                "doctor",
                "--fix")
            .directory(Path.of("/").toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().put(SubidFix.TEST_DIRECTORY, etc.toString());
    pb.environment().remove("COI_DEBUG");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertOneLineError(
        new CoiCli.Result(p.waitFor(), out, err),
        "only root may: run it as 'sudo coi doctor --fix'");
    assertEquals(DELEGATED, read("subuid"));
    assertEquals(DELEGATED, read("subgid"));
  }

  private static void assertOneLineError(CoiCli.Result r, String text) {
    assertEquals(ExitCodes.FAILED, r.exitCode(), r.stdout() + r.stderr());
    assertEquals("", r.stdout());
    List<String> lines = r.stderr().lines().toList();
    assertEquals(1, lines.size(), r.stderr());
    assertTrue(lines.get(0).startsWith("coi: ") && lines.get(0).contains(text), lines.get(0));
  }

  private String read(String name) throws IOException {
    return Files.readString(etc.resolve(name));
  }

  private static JsonNode idMapping(CoiCli.Result r) {
    return StreamSupport.stream(r.json().spliterator(), false)
        .filter(c -> c.path("name").asText().equals("id mapping"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no id mapping check: " + r.stdout()));
  }
}
