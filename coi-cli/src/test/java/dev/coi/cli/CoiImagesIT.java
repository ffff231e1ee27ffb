package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * coi's real recipes (images/coi-sandbox/recipe.sh, images/coi-privileged/recipe.sh) built with
 * {@code coi build custom} under test names, then used by sessions ({@code coi run}). The daemon's
 * coi-sandbox stands in for coi-base (Debian with systemd and user claude); the aliases coi-sandbox
 * and coi-privileged are never touched.
 */
class CoiImagesIT {
  private static final Path IMAGES = Path.of("..", "images").toAbsolutePath().normalize();
  private static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);
  private static final String SANDBOX = "coi-test-sandbox-build-" + SUFFIX;
  private static final String PRIVILEGED = "coi-test-privileged-build-" + SUFFIX;
  @TempDir static Path dir;

  @BeforeAll
  static void buildBoth() throws Exception {
    // On coi-base, the default base the host set-up makes, as a user's first build goes.
    build(SANDBOX, "coi-sandbox", "coi-base");
    build(PRIVILEGED, "coi-privileged", SANDBOX);
  }

  /** A build of a few hundred MB: longer than CoiChild waits, so its own process and deadline. */
  private static void build(String name, String recipe, String base) throws Exception {
    Path err = Files.createTempFile(dir, "build-err", ".txt");
    Process coi =
        new ProcessBuilder(
                "java",
                "-jar",
                CoiChild.JAR.toString(),
                "build",
                "custom",
                name,
                "--script",
                IMAGES.resolve(recipe).resolve("recipe.sh").toString(),
                "--base",
                base,
                "--quiet",
                "--format",
                "json")
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectError(err.toFile())
            .redirectOutput(err.resolveSibling(err.getFileName() + ".out").toFile())
            .start();
    if (!coi.waitFor(20, TimeUnit.MINUTES)) {
      coi.destroy();
      throw new AssertionError("coi build " + name + " did not end within 20 minutes");
    }
    String out = Files.readString(err.resolveSibling(err.getFileName() + ".out"));
    assertEquals(0, coi.exitValue(), Files.readString(err));
    assertTrue(out.contains("\"skipped\":false"), out);
  }

  @AfterAll
  static void deleteImages() throws Exception {
    IncusCli.deleteImagesNamed(PRIVILEGED);
    IncusCli.deleteImagesNamed(SANDBOX);
  }

  /** {@code coi run --image IMAGE 'SCRIPT'} as uid 1000; its output and exit code. */
  private static Run run(String image, String script) throws Exception {
    Path workspace = Files.createTempDirectory(dir, "ws");
    try (CoiChild coi =
        CoiChild.start(
            workspace,
            dir,
            "coi-test-img-",
            Map.of("CLAUDE_ON_INCUS_IMAGE", image),
            "run",
            script)) {
      String out = coi.readAll();
      return new Run(coi.exitCode(), out, coi.stderr());
    }
  }

  private record Run(int exitCode, String stdout, String stderr) {}

  private static String pinnedVersion() throws IOException {
    Matcher m =
        Pattern.compile("(?m)^CLAUDE_VERSION=(\\S+)$")
            .matcher(Files.readString(IMAGES.resolve("coi-sandbox").resolve("recipe.sh")));
    assertTrue(m.find(), "recipe pins CLAUDE_VERSION");
    return m.group(1);
  }

  @Test
  void theSandboxRunsThePinnedAgentAsUid1000WithoutANetwork() throws Exception {
    Run r =
        run(SANDBOX, "id -u; claude --version; ip -o link 2>/dev/null | grep -vc ' lo:' || true");

    assertEquals(0, r.exitCode(), r.stderr());
    List<String> lines = r.stdout().lines().toList();
    assertEquals("1000", lines.get(0));
    assertEquals(pinnedVersion() + " (Claude Code)", lines.get(1));
  }

  @Test
  void theSandboxHasToolsButNoGeneralSudoOnlyPowerOff() throws Exception {
    Run r =
        run(
            SANDBOX,
            "tmux -V; rg --version | head -n 1; git --version; node --version; claude-stub --version;"
                + " sudo -n -l /usr/sbin/poweroff; sudo -n true; echo sudo=$?");

    assertEquals(0, r.exitCode(), r.stderr());
    assertTrue(r.stdout().startsWith("tmux "), r.stdout());
    assertTrue(r.stdout().contains("ripgrep "), r.stdout());
    assertTrue(r.stdout().contains("claude-stub 1.0.0"), r.stdout());
    assertTrue(r.stdout().contains("/usr/sbin/poweroff\n"), r.stdout());
    assertTrue(r.stdout().endsWith("sudo=1\n"), r.stdout());
  }

  @Test
  void dockerInsideTheSessionRunsAnImageMadeOffline() throws Exception {
    // The container's own dockerd starts with systemd: wait for it (a minute at most).
    Run r =
        run(
            SANDBOX,
            "for i in $(seq 1 120); do docker info >/dev/null 2>&1 && break; sleep 0.5; done;"
                + " docker info --format 'server {{.ServerVersion}} {{.Driver}}' &&"
                + " tar -ch /usr/bin/echo /lib/x86_64-linux-gnu/libc.so.6 /lib64/ld-linux-x86-64.so.2"
                + " 2>/dev/null | docker import - coi-tiny:1 >/dev/null &&"
                + " docker run --rm --network none coi-tiny:1 /usr/bin/echo hello from docker");

    assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
    assertTrue(r.stdout().startsWith("server "), r.stdout());
    assertTrue(r.stdout().endsWith("hello from docker\n"), r.stdout());
  }

  @Test
  void thePrivilegedImageGivesSudoGhAndSsh() throws Exception {
    Run r = run(PRIVILEGED, "sudo -n true && echo sudo-ok; gh --version | head -n 1; ssh -V 2>&1");

    assertEquals(0, r.exitCode(), r.stderr());
    assertTrue(r.stdout().startsWith("sudo-ok\ngh version "), r.stdout());
    assertTrue(r.stdout().contains("OpenSSH"), r.stdout());
    assertNotEquals(
        "",
        IncusCli.run("query", "/1.0/images/aliases/" + PRIVILEGED).strip(),
        "the privileged image is named");
  }
}
