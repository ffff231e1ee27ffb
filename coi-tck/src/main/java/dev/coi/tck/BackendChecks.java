package dev.coi.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.ExecResult;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.ExecSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * What the parts of {@link ContainerBackendContract} ({@link LifecycleChecks}, {@link ExecChecks},
 * {@link FileChecks}) stand on: the backend under test, a workspace to mount, and containers named
 * and labelled for the test. {@link ContainerBackendContract} implements it; a backend's test
 * extends that.
 */
public interface BackendChecks {
  /** The backend under test, fresh for each test. */
  ContainerBackend backend();

  /** A host directory mounted at {@code /workspace}, owned by the container's uid 1000. */
  Path workspace();

  /** A new container name, removed after the test. */
  String newName();

  /** The spec of a small container called {@code name} with the workspace mounted. */
  ContainerSpec.Builder spec(String name);

  /** A new running container made from {@link #spec}; its name. */
  default String running() {
    String name = newName();
    backend().create(spec(name).build());
    return name;
  }

  /**
   * The refusal of a create from {@link #spec} as {@code change} alters it; checks that nothing of
   * the container is left.
   */
  default <T extends Throwable> T refusedCreate(
      Class<T> type, UnaryOperator<ContainerSpec.Builder> change) {
    String name = newName();
    T e = assertThrows(type, () -> backend().create(change.apply(spec(name)).build()));
    assertTrue(backend().find(name).isEmpty(), name + " left after a refused create");
    return e;
  }

  /** {@code sh -c script} in a new running container. */
  default ExecResult sh(ExecSpec.Builder exec, String script) {
    return backend().exec(running(), exec.command(List.of("sh", "-c", script)).build());
  }

  /** Checks a file's content, owner and mode in the container. */
  default void assertFile(String container, String path, String content, String ownerAndMode) {
    assertArrayEquals(bytes(content), backend().pullFile(container, path).orElseThrow());
    assertEquals(ownerAndMode, ownerAndMode(container, path));
  }

  /**
   * A path's owner and mode as {@code stat -c %u:%g:%a} prints them ({@code 1000:1000:640}), as the
   * container sees them.
   */
  default String ownerAndMode(String container, String path) {
    ExecResult r =
        backend()
            .exec(
                container,
                ExecSpec.builder().command(List.of("stat", "-c", "%u:%g:%a", path)).build());
    assertEquals(0, r.exitCode(), r.stderr());
    return r.stdout().strip();
  }

  /** Polls until the container is gone; the backend finishes a requested stop on its own. */
  default boolean vanishes(String name) throws InterruptedException {
    return eventually(() -> backend().find(name).isEmpty());
  }

  /** Whether {@code condition} holds within 30 s. */
  default boolean eventually(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(50);
    }
    return true;
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static void write(Path file, byte[] content, String permissions) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
  }

  static String permissions(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  /** The numeric owner ({@code unix:uid} or {@code unix:gid}) of a host path. */
  static int owner(Path path, String attribute) {
    try {
      return (Integer) Files.getAttribute(path, attribute);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
