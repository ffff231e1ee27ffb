package dev.coi.incus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves something behind: a socket of this JVM (beyond the client pool's idle
 * connections), a {@code coi-} thread, or an instance this JVM made (labelled {@code user.coi.pid}
 * with its pid; other test runs may share the daemon). Things that end asynchronously (a requested
 * stop, a websocket thread finishing) get a few seconds.
 *
 * <pre>{@code
 * @RegisterExtension static final LeakCheck leaks = new LeakCheck(() -> client);
 * }</pre>
 */
public final class LeakCheck implements BeforeEachCallback, AfterEachCallback {
  /** Label value that marks an instance as made by this JVM: put it in {@code user.coi.pid}. */
  public static final String PID = Long.toString(ProcessHandle.current().pid());

  /**
   * A request for an instance of the small test image named {@code name}, labelled as this check
   * expects: {@code user.coi.test} says the test's {@code area}, {@code user.coi.pid} this JVM.
   */
  public static InstanceCreate.Builder testInstance(String name, String area) {
    return InstanceCreate.builder()
        .name(name)
        .image("coi-test-min")
        .putConfig("user.coi.test", area)
        .putConfig("user.coi.pid", PID);
  }

  private final java.util.function.Supplier<IncusClient> client;
  private Snapshot before;

  public LeakCheck(java.util.function.Supplier<IncusClient> client) {
    this.client = client;
    allocateTheJdksOwnSocketNow();
  }

  /**
   * The first close of a JDK socket makes the JDK create an internal socket it keeps for the life
   * of the JVM (for its dup2 pre-close trick); make that happen before any snapshot.
   */
  private static void allocateTheJdksOwnSocketNow() {
    try (java.net.ServerSocket warmUp =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      warmUp.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  record Snapshot(long sockets, TreeSet<String> threads, TreeSet<String> instances) {}

  private Snapshot take() {
    IncusClient incus = client.get();
    long sockets = openSockets() - incus.idleConnections();
    TreeSet<String> threads =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.isAlive() && t.getName().startsWith("coi-"))
            .map(Thread::getName)
            .collect(Collectors.toCollection(TreeSet::new));
    TreeSet<String> instances =
        incus.instances().list(Map.of()).stream()
            .filter(i -> PID.equals(i.config().get("user.coi.pid")))
            .map(Instance::name)
            .collect(Collectors.toCollection(TreeSet::new));
    return new Snapshot(sockets, threads, instances);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    before = take();
  }

  @Override
  public void afterEach(ExtensionContext context) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    Snapshot after = take();
    while (!clean(after) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      after = take();
    }
    assertEquals(before.threads(), after.threads(), "coi threads left running");
    assertEquals(before.instances(), after.instances(), "test instances left behind");
    // Fewer is fine: a connection an earlier test left to the daemon's idle timeout may close now.
    assertTrue(
        after.sockets() <= before.sockets(),
        "sockets left open: " + before.sockets() + " before, " + after.sockets() + " after");
  }

  private boolean clean(Snapshot after) {
    return after.threads().equals(before.threads())
        && after.instances().equals(before.instances())
        && after.sockets() <= before.sockets();
  }

  /** Sockets this JVM holds open, from /proc/self/fd. */
  static long openSockets() {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      List<Path> all = fds.collect(Collectors.toList());
      long count = 0;
      for (Path fd : all) {
        try {
          if (Files.readSymbolicLink(fd).toString().startsWith("socket:")) {
            count++;
          }
        } catch (IOException closedMeanwhile) {
          // The listing's own descriptor, or one closed since: not a socket we hold.
        }
      }
      return count;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
