package dev.coi.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.ConflictException;
import dev.coi.api.ExecResult;
import dev.coi.api.ImageNotFoundException;
import dev.coi.api.Mount;
import dev.coi.api.NotFoundException;
import dev.coi.api.TerminalSize;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.ContainerStatus;
import dev.coi.api.spi.ExecSpec;
import dev.coi.api.spi.IdMap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
  void aKeptEphemeralContainerSurvivesItsStop() {
    String name = newName();
    backend.create(spec(name).ephemeral(true).build());
    backend.keep(name);

    assertFalse(backend.find(name).orElseThrow().ephemeral());
    backend.stop(name);
    assertEquals(ContainerStatus.STOPPED, backend.find(name).orElseThrow().status());
  }

  @Test
  void imagesListTheImageContainersStartFrom() {
    List<dev.coi.api.ImageInfo> images = backend.images();
    assertTrue(
        images.stream().anyMatch(i -> i.aliases().contains(image())), image() + " in " + images);
    assertTrue(images.stream().allMatch(i -> !i.fingerprint().isEmpty() && i.size() >= 0));
  }

  @Test
  void checksReportAReachableBackendAsHealthy() {
    List<dev.coi.api.HostCheck> checks = backend.checks();
    assertFalse(checks.isEmpty());
    assertTrue(
        checks.stream()
            .filter(c -> c.status() != dev.coi.api.HostCheck.Status.OK)
            .allMatch(c -> c.fix().isPresent()),
        "every finding that is not fine says what to do: " + checks);
  }

  @Test
  void updatedLabelsAreMergedIntoTheOthers() {
    String name = newName();
    backend.create(spec(name).putLabels("slot", "3").putLabels("owner", "first").build());

    backend.updateLabels(name, Map.of("owner", "second", "extra", "yes"));

    Map<String, String> labels = backend.find(name).orElseThrow().labels();
    assertEquals("second", labels.get("owner"));
    assertEquals("yes", labels.get("extra"));
    assertEquals("3", labels.get("slot"));
  }

  @Test
  void aKeptContainerShutsDownCleanlyAndIsKept() {
    String name = newName();
    backend.create(spec(name).ephemeral(false).build());

    backend.shutdown(name, java.time.Duration.ofSeconds(10));

    assertEquals(ContainerStatus.STOPPED, backend.find(name).orElseThrow().status());
    backend.delete(name);
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

  /**
   * That {@code requestStop} does not wait for the stop is left unchecked: only a clock could tell,
   * and tests assert no wall-clock bound. What every backend owes is that the stop then happens.
   */
  @Test
  void aRequestedStopEndsWithTheEphemeralContainerGone() throws InterruptedException {
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
    String name = newName();
    backend.create(spec(name).build());

    ExecResult r =
        backend.exec(name, ExecSpec.builder().command(List.of("no-such-program")).build());

    assertEquals(127, r.exitCode());
    assertTrue(r.stderr().contains("no-such-program"), r.stderr());
  }

  @Test
  void filesWrittenInTheMountBelongToTheHostOwner() throws IOException {
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

  /**
   * A path's owner and mode as {@code stat -c %u:%g:%a} prints them ({@code 1000:1000:640}), as the
   * container sees them.
   */
  protected String ownerAndMode(String container, String path) {
    ExecResult r =
        backend.exec(
            container, ExecSpec.builder().command(List.of("stat", "-c", "%u:%g:%a", path)).build());
    assertEquals(0, r.exitCode(), r.stderr());
    return r.stdout().strip();
  }

  @Test
  void aPushedFileComesBackWithItsOwnerAndMode() {
    String name = newName();
    backend.create(spec(name).build());

    backend.pushFile(name, "/coi-note", bytes("hello\n"), 1000, 1000, 0640);

    assertArrayEquals(bytes("hello\n"), backend.pullFile(name, "/coi-note").orElseThrow());
    assertEquals("1000:1000:640", ownerAndMode(name, "/coi-note"));
  }

  @Test
  void aPushedFileReplacesTheOneThereWithItsOwnerAndMode() {
    String name = newName();
    backend.create(spec(name).build());
    backend.pushFile(name, "/coi-note", bytes("old and longer\n"), 0, 0, 0600);

    backend.pushFile(name, "/coi-note", bytes("new\n"), 1000, 1000, 0644);

    assertArrayEquals(bytes("new\n"), backend.pullFile(name, "/coi-note").orElseThrow());
    assertEquals("1000:1000:644", ownerAndMode(name, "/coi-note"));
  }

  @Test
  void aMissingFileIsEmptyAndAMissingDirectoryIsNotFound() {
    String name = newName();
    backend.create(spec(name).build());

    assertTrue(backend.pullFile(name, "/coi-no-such-file").isEmpty());
    assertThrows(
        NotFoundException.class,
        () -> backend.pushFile(name, "/coi-no-such-dir/f", bytes("x"), 0, 0, 0644));
  }

  @Test
  void aTreeMakesTheRoundTripWithNestedDirectoriesBinaryContentOwnerAndModes(@TempDir Path host)
      throws IOException {
    String name = newName();
    backend.create(spec(name).build());
    Path src = host.resolve("src");
    byte[] blob = new byte[200 * 1024];
    new Random(42).nextBytes(blob);
    write(src.resolve("a/b/blob.bin"), blob, "rw-------");
    write(src.resolve("run.sh"), bytes("#!/bin/sh\necho hi\n"), "rwxr-xr-x");
    Files.createDirectories(src.resolve("a/empty"));
    Files.setPosixFilePermissions(
        src.resolve("a/empty"), PosixFilePermissions.fromString("rwx------"));

    backend.pushTree(name, src, "/coi-tree/deep/src", 1000, 1000);

    assertEquals("1000:1000:755", ownerAndMode(name, "/coi-tree"));
    assertEquals("1000:1000:600", ownerAndMode(name, "/coi-tree/deep/src/a/b/blob.bin"));
    assertEquals("1000:1000:755", ownerAndMode(name, "/coi-tree/deep/src/run.sh"));
    assertEquals("1000:1000:700", ownerAndMode(name, "/coi-tree/deep/src/a/empty"));
    assertArrayEquals(
        blob, backend.pullFile(name, "/coi-tree/deep/src/a/b/blob.bin").orElseThrow());

    Path back = host.resolve("back");
    backend.pullTree(name, "/coi-tree/deep/src", back);

    assertArrayEquals(blob, Files.readAllBytes(back.resolve("a/b/blob.bin")));
    assertEquals("rw-------", permissions(back.resolve("a/b/blob.bin")));
    assertEquals("rwxr-xr-x", permissions(back.resolve("run.sh")));
    assertEquals("rwx------", permissions(back.resolve("a/empty")));
    try (var entries = Files.list(back.resolve("a/empty"))) {
      assertEquals(0, entries.count());
    }
  }

  @Test
  void aSingleFilePushedAsATreeLandsAtTheTargetAndComesBack(@TempDir Path host) throws IOException {
    String name = newName();
    backend.create(spec(name).build());
    Path tool = host.resolve("tool");
    write(tool, bytes("#!/bin/sh\n"), "rwxr-x---");

    backend.pushTree(name, tool, "/coi-single/bin/tool", 1000, 1000);

    assertArrayEquals(
        bytes("#!/bin/sh\n"), backend.pullFile(name, "/coi-single/bin/tool").orElseThrow());
    assertEquals("1000:1000:750", ownerAndMode(name, "/coi-single/bin/tool"));
    assertEquals("1000:1000:755", ownerAndMode(name, "/coi-single/bin"));

    Path back = host.resolve("back/tool");
    backend.pullTree(name, "/coi-single/bin/tool", back);
    assertArrayEquals(bytes("#!/bin/sh\n"), Files.readAllBytes(back));
    assertEquals("rwxr-x---", permissions(back));
  }

  @Test
  void pullingAMissingTreeIsNotFoundAndWritesNothing(@TempDir Path host) {
    String name = newName();
    backend.create(spec(name).build());

    assertThrows(
        NotFoundException.class,
        () -> backend.pullTree(name, "/coi-no-such-tree", host.resolve("out")));
    assertFalse(Files.exists(host.resolve("out")));
  }

  @Test
  void pullingATreeOntoAnExistingTargetIsRefusedAndLeavesItAlone(@TempDir Path host)
      throws IOException {
    String name = newName();
    backend.create(spec(name).build());
    backend.pushFile(name, "/coi-note", bytes("from the container"), 0, 0, 0644);
    Path there = host.resolve("there");
    Files.writeString(there, "mine");

    ConflictException e =
        assertThrows(ConflictException.class, () -> backend.pullTree(name, "/coi-note", there));

    assertTrue(e.getMessage().contains(there.toString()), e.getMessage());
    assertEquals("mine", Files.readString(there));
  }

  @Test
  void aHostFileInAMountIsSeenInTheContainer() throws IOException {
    String name = newName();
    backend.create(spec(name).build());
    Path file = Files.writeString(workspace.resolve("from-host"), "host data\n");
    Files.setAttribute(file, "unix:uid", owner(workspace, "unix:uid"));
    Files.setAttribute(file, "unix:gid", owner(workspace, "unix:gid"));

    assertArrayEquals(
        bytes("host data\n"), backend.pullFile(name, "/workspace/from-host").orElseThrow());
    ExecResult r =
        backend.exec(
            name,
            ExecSpec.builder()
                .command(List.of("stat", "-c", "%u:%g:%a", "/workspace/from-host"))
                .build());
    assertEquals(0, r.exitCode(), r.stderr());
    assertTrue(
        r.stdout().startsWith("1000:1000:"),
        "the workspace owner is the agent user in the container: " + r.stdout());
  }

  @Test
  void aLinkInsideAPulledTreeLeadsToTheSameEntryOnTheHost(@TempDir Path host) throws IOException {
    String name = newName();
    backend.create(spec(name).build());
    Path src = host.resolve("src");
    write(src.resolve("sub/file"), bytes("in the tree"), "rw-r--r--");
    Files.createSymbolicLink(src.resolve("inner"), Path.of("sub/file"));
    backend.pushTree(name, src, "/coi-links", 1000, 1000);

    Path back = host.resolve("back");
    backend.pullTree(name, "/coi-links", back);

    assertTrue(Files.isSymbolicLink(back.resolve("inner")));
    assertEquals("in the tree", Files.readString(back.resolve("inner")));
    assertEquals(
        back.resolve("sub/file").toRealPath(), back.resolve("inner").toRealPath(), "same entry");
  }

  @Test
  void aLinkOutOfAPulledTreeNeverReachesTheHost(@TempDir Path host) throws IOException {
    String name = newName();
    backend.create(spec(name).build());
    Path src = host.resolve("src");
    write(src.resolve("file"), bytes("x"), "rw-r--r--");
    // /etc is on the host as in the container: a copied link would lead the host's reader there.
    Files.createSymbolicLink(src.resolve("out"), Path.of("/etc"));
    Files.createSymbolicLink(src.resolve("up"), Path.of("../.."));
    backend.pushTree(name, src, "/coi-links/tree", 1000, 1000);

    Path back = host.resolve("back");
    try {
      backend.pullTree(name, "/coi-links/tree", back);
    } catch (dev.coi.api.CoiException refused) {
      // Refusing the tree is one way to keep the promise; leaving the link out is another.
    }

    if (Files.exists(back)) {
      Path root = back.toAbsolutePath().normalize();
      try (var walk = Files.walk(back)) {
        for (Path p : (Iterable<Path>) walk::iterator) {
          if (Files.isSymbolicLink(p)) {
            Path to = p.getParent().resolve(Files.readSymbolicLink(p)).normalize();
            assertTrue(to.startsWith(root), p + " leads out of the pulled tree to " + to);
          }
        }
      }
    }
  }

  @Test
  void filesGoWithTheContainer() {
    String name = newName();
    backend.create(spec(name).build());
    backend.pushFile(name, "/coi-note", bytes("x"), 0, 0, 0644);

    backend.delete(name);
    backend.create(spec(name).build());

    assertTrue(backend.pullFile(name, "/coi-note").isEmpty());
  }

  @Test
  void aCapturedExecRefusesATerminal() {
    String name = newName();
    backend.create(spec(name).build());
    ExecSpec onTerminal =
        ExecSpec.builder().command(List.of("tty")).terminal(TerminalSize.of(80, 24)).build();

    assertThrows(IllegalArgumentException.class, () -> backend.exec(name, onTerminal));
  }

  @Test
  void anUnknownLimitIsRefusedAndNothingIsCreated() {
    String name = newName();

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> backend.create(spec(name).putLimits("gpus", "2").build()));

    assertTrue(e.getMessage().contains("gpus"), e.getMessage());
    assertTrue(backend.find(name).isEmpty());
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static void write(Path file, byte[] content, String permissions) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
  }

  private static String permissions(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
