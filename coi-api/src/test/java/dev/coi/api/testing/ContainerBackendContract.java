package dev.coi.api.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.coi.api.ConflictException;
import dev.coi.api.ExecResult;
import dev.coi.api.ImageNotFoundException;
import dev.coi.api.Mount;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.ContainerStatus;
import dev.coi.api.spi.ExecSpec;
import dev.coi.api.spi.IdMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link ContainerBackend} must do, real or fake. An implementation's test extends this
 * and says how to make the backend and which image to use; the in-memory fake and the Incus backend
 * pass the same suite.
 */
public abstract class ContainerBackendContract {
  protected ContainerBackend backend;
  private final List<String> created = new ArrayList<>();
  @TempDir protected Path workspace;

  /** A fresh backend for one test. */
  protected abstract ContainerBackend newBackend();

  /** An image the backend has, small enough to start in about a second. */
  protected abstract String image();

  /** False for backends that cannot run real programs (the fake). */
  protected boolean runsCommands() {
    return true;
  }

  @BeforeEach
  void openBackend() throws IOException {
    backend = newBackend();
    try {
      // The container user is uid 1000; a shifted mount needs the workspace owned by it.
      Files.setAttribute(workspace, "unix:uid", 1000);
      Files.setAttribute(workspace, "unix:gid", 1000);
    } catch (IOException notRoot) {
      // Then the workspace stays ours and spec() maps us onto uid 1000 instead.
    }
  }

  @AfterEach
  void removeContainers() {
    for (String name : created) {
      backend.delete(name);
    }
    backend.close();
  }

  protected String newName() {
    String name = "coi-test-tck-" + UUID.randomUUID().toString().substring(0, 8);
    created.add(name);
    return name;
  }

  protected ContainerSpec.Builder spec(String name) {
    ContainerSpec.Builder spec =
        ContainerSpec.builder()
            .name(name)
            .image(image())
            .putLabels("test", "contract")
            .putLabels("pid", Long.toString(ProcessHandle.current().pid()))
            .addMounts(Mount.of(workspace, "/workspace"));
    int uid = owner(workspace, "unix:uid");
    if (uid != 1000) {
      spec.idMap(IdMap.of(uid, owner(workspace, "unix:gid"), 1000, 1000));
    }
    return spec;
  }

  private static int owner(Path path, String attribute) {
    try {
      return (Integer) Files.getAttribute(path, attribute);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void isAvailable() {
    assertTrue(backend.availability().isAvailable(), backend.availability().reason());
  }

  @Test
  void createStartsTheContainerWithItsLabels() {
    String name = newName();
    backend.create(spec(name).putLabels("slot", "3").build());

    ContainerInfo info = backend.find(name).orElseThrow();
    assertEquals(ContainerStatus.RUNNING, info.status());
    assertEquals("3", info.labels().get("slot"));
    assertEquals("contract", info.labels().get("test"));
    assertTrue(backend.list().stream().anyMatch(i -> i.name().equals(name)));
  }

  @Test
  void aSecondContainerOfTheSameNameIsAConflict() {
    String name = newName();
    backend.create(spec(name).build());

    assertThrows(ConflictException.class, () -> backend.create(spec(name).build()));
    assertEquals(ContainerStatus.RUNNING, backend.find(name).orElseThrow().status());
  }

  @Test
  void aMissingImageIsNamedAndLeavesNothing() {
    String name = newName();
    ImageNotFoundException e =
        assertThrows(
            ImageNotFoundException.class,
            () -> backend.create(spec(name).image("coi-test-no-such-image").build()));

    assertEquals("coi-test-no-such-image", e.image());
    assertTrue(e.getMessage().contains("coi-test-no-such-image"), e.getMessage());
    assertTrue(backend.find(name).isEmpty());
  }

  @Test
  void anEphemeralContainerVanishesWhenStopped() {
    String name = newName();
    backend.create(spec(name).ephemeral(true).build());

    backend.stop(name);

    assertTrue(backend.find(name).isEmpty());
  }

  @Test
  void aRequestedStopReturnsAtOnceAndTheEphemeralContainerThenVanishes()
      throws InterruptedException {
    String name = newName();
    backend.create(spec(name).ephemeral(true).build());

    backend.requestStop(name);

    assertTrue(vanishes(name), name + " still exists 30 s after its stop was requested");
  }

  /** Polls until the container is gone; the backend finishes a requested stop on its own. */
  protected boolean vanishes(String name) throws InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (backend.find(name).isPresent()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(50);
    }
    return true;
  }

  @Test
  void aKeptContainerStopsAndStartsAgain() {
    String name = newName();
    backend.create(spec(name).ephemeral(false).build());

    backend.stop(name);
    assertEquals(ContainerStatus.STOPPED, backend.find(name).orElseThrow().status());
    backend.start(name);
    assertEquals(ContainerStatus.RUNNING, backend.find(name).orElseThrow().status());
  }

  @Test
  void deleteRemovesRunningAndStoppedContainersAndToleratesMissingOnes() {
    String running = newName();
    String stopped = newName();
    backend.create(spec(running).ephemeral(false).build());
    backend.create(spec(stopped).ephemeral(false).build());
    backend.stop(stopped);

    backend.delete(running);
    backend.delete(stopped);
    backend.delete(running);

    assertFalse(backend.find(running).isPresent());
    assertFalse(backend.find(stopped).isPresent());
  }

  @Test
  void execCapturesOutputAndExitCode() {
    assumeTrue(runsCommands());
    String name = newName();
    backend.create(spec(name).build());

    ExecResult r =
        backend.exec(
            name,
            ExecSpec.builder()
                .command(List.of("sh", "-c", "echo out; echo err >&2; exit 3"))
                .build());

    assertEquals(3, r.exitCode());
    assertEquals("out\n", r.stdout());
    assertEquals("err\n", r.stderr());
  }

  @Test
  void execRunsAsTheGivenUserInTheGivenDirectoryWithTheGivenEnvironment() {
    assumeTrue(runsCommands());
    String name = newName();
    backend.create(spec(name).build());

    ExecResult r =
        backend.exec(
            name,
            ExecSpec.builder()
                .command(List.of("sh", "-c", "id -u; id -g; pwd; echo $GREETING"))
                .uid(1000)
                .gid(1000)
                .cwd("/workspace")
                .putEnvironment("GREETING", "hi there")
                .build());

    assertEquals("1000\n1000\n/workspace\nhi there\n", r.stdout());
  }

  @Test
  void aMissingProgramExits127() {
    assumeTrue(runsCommands());
    String name = newName();
    backend.create(spec(name).build());

    ExecResult r =
        backend.exec(name, ExecSpec.builder().command(List.of("no-such-program")).build());

    assertEquals(127, r.exitCode());
    assertTrue(r.stderr().contains("no-such-program"), r.stderr());
  }

  @Test
  void filesWrittenInTheMountBelongToTheHostOwner() throws IOException {
    assumeTrue(runsCommands());
    String name = newName();
    backend.create(spec(name).build());

    backend.exec(
        name,
        ExecSpec.builder()
            .command(List.of("sh", "-c", "echo data > /workspace/made-inside"))
            .uid(1000)
            .gid(1000)
            .build());

    Path made = workspace.resolve("made-inside");
    assertEquals("data\n", Files.readString(made));
    assertEquals(Files.getAttribute(workspace, "unix:uid"), Files.getAttribute(made, "unix:uid"));
  }
}
