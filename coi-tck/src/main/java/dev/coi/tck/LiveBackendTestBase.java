package dev.coi.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.coi.api.SessionSpec;
import dev.coi.api.Sessions;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.ContainerInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The base of integration tests that run sessions on the real backend. Each test gets a workspace
 * owned by uid 1000 (the container user, like a typical desktop user); afterwards, every container
 * of that workspace must be gone within 30 s (a requested stop finishes in the daemon), or the test
 * fails and the leftovers are removed. The first test of a run also sweeps what earlier runs left:
 * {@code coi-test-} containers whose recorded owning process ({@code pid} label) is gone.
 */
public abstract class LiveBackendTestBase {
  /** The container name prefix of every container a test makes. */
  public static final String TEST_PREFIX = "coi-test-";

  private static boolean swept;
  protected static ContainerBackend backend;

  @TempDir protected Path workspace;

  /** A session of this test's workspace in {@code image}, its container named as a test's. */
  protected SessionSpec.Builder sessionSpec(String image) {
    return Sessions.builder().workspace(workspace).image(image).containerPrefix(TEST_PREFIX);
  }

  @BeforeAll
  static void connectAndSweep() {
    backend = ServiceLoader.load(ContainerBackend.class).findFirst().orElseThrow();
    synchronized (LiveBackendTestBase.class) {
      if (!swept) {
        swept = true;
        backend.list().stream()
            .filter(c -> c.name().startsWith(TEST_PREFIX) && !ownerAlive(c))
            .forEach(c -> backend.delete(c.name()));
      }
    }
  }

  @AfterAll
  static void disconnect() {
    backend.close();
  }

  @BeforeEach
  void giveTheWorkspaceToTheContainerUser() throws IOException {
    Files.setAttribute(workspace, "unix:uid", 1000);
    Files.setAttribute(workspace, "unix:gid", 1000);
  }

  @AfterEach
  void nothingIsLeftBehind() throws IOException, InterruptedException {
    Path ws = workspace.toRealPath();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    List<String> left = containersOf(ws);
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(100);
      left = containersOf(ws);
    }
    left.forEach(backend::delete);
    assertEquals(List.of(), left, "containers left behind");
  }

  /** The containers coi made for a workspace, by their {@code workspace} label. */
  protected static List<String> containersOf(Path ws) {
    return backend.list().stream()
        .filter(c -> ws.toString().equals(c.labels().get("workspace")))
        .map(ContainerInfo::name)
        .collect(Collectors.toList());
  }

  private static boolean ownerAlive(ContainerInfo container) {
    try {
      long pid = Long.parseLong(container.labels().getOrDefault("pid", ""));
      return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    } catch (NumberFormatException noOwner) {
      // No owner recorded: not ours to judge, so never swept.
      return true;
    }
  }
}
