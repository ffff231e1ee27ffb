package dev.coi.tck;

import static dev.coi.tck.BackendChecks.bytes;
import static dev.coi.tck.BackendChecks.owner;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.ExecResult;
import dev.coi.api.TerminalSize;
import dev.coi.api.spi.ExecSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Running commands in a container: output, exit code, user, directory, environment, and the
 * workspace mount as the command sees it. Part of {@link ContainerBackendContract}.
 */
public interface ExecChecks extends BackendChecks {
  @Test
  default void execCapturesOutputAndExitCode() {
    ExecResult r = sh(ExecSpec.builder(), "echo out; echo err >&2; exit 3");

    assertEquals(3, r.exitCode());
    assertEquals("out\n", r.stdout());
    assertEquals("err\n", r.stderr());
  }

  @Test
  default void execRunsAsTheGivenUserInTheGivenDirectoryWithTheGivenEnvironment() {
    ExecResult r =
        sh(
            ExecSpec.builder()
                .uid(1000)
                .gid(1000)
                .cwd("/workspace")
                .putEnvironment("GREETING", "hi there"),
            "id -u; id -g; pwd; echo $GREETING");

    assertEquals("1000\n1000\n/workspace\nhi there\n", r.stdout());
  }

  @Test
  default void aMissingProgramExits127() {
    String name = running();

    ExecResult r =
        backend().exec(name, ExecSpec.builder().command(List.of("no-such-program")).build());

    assertEquals(127, r.exitCode());
    assertTrue(r.stderr().contains("no-such-program"), r.stderr());
  }

  @Test
  default void aCapturedExecRefusesATerminal() {
    String name = running();
    ExecSpec onTerminal =
        ExecSpec.builder().command(List.of("tty")).terminal(TerminalSize.of(80, 24)).build();

    assertThrows(IllegalArgumentException.class, () -> backend().exec(name, onTerminal));
  }

  @Test
  default void filesWrittenInTheMountBelongToTheHostOwner() throws IOException {
    String name = running();

    backend()
        .exec(
            name,
            ExecSpec.builder()
                .command(List.of("sh", "-c", "echo data > /workspace/made-inside"))
                .uid(1000)
                .gid(1000)
                .build());

    Path made = workspace().resolve("made-inside");
    assertEquals("data\n", Files.readString(made));
    assertEquals(Files.getAttribute(workspace(), "unix:uid"), Files.getAttribute(made, "unix:uid"));
  }

  @Test
  default void aHostFileInAMountIsSeenInTheContainer() throws IOException {
    String name = running();
    Path file = Files.writeString(workspace().resolve("from-host"), "host data\n");
    Files.setAttribute(file, "unix:uid", owner(workspace(), "unix:uid"));
    Files.setAttribute(file, "unix:gid", owner(workspace(), "unix:gid"));

    assertArrayEquals(
        bytes("host data\n"), backend().pullFile(name, "/workspace/from-host").orElseThrow());
    ExecResult r =
        backend()
            .exec(
                name,
                ExecSpec.builder()
                    .command(List.of("stat", "-c", "%u:%g:%a", "/workspace/from-host"))
                    .build());
    assertEquals(0, r.exitCode(), r.stderr());
    assertTrue(
        r.stdout().startsWith("1000:1000:"),
        "the workspace() owner is the agent user in the container: " + r.stdout());
  }
}
