package dev.coi.api.spi;

import dev.coi.api.ExecResult;
import dev.coi.api.RunningCommand;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A container engine as a session needs it. Implementations are found with {@link
 * java.util.ServiceLoader} (register them in {@code
 * META-INF/services/dev.coi.api.spi.ContainerBackend}), need a public no-argument constructor and
 * connect lazily: constructing one must be cheap and must not fail. Of the available ones, the one
 * with the highest {@link #priority()} is used.
 *
 * <p>Errors are {@link dev.coi.api.CoiException}s: {@link dev.coi.api.NotFoundException}, {@link
 * dev.coi.api.ConflictException}, {@link dev.coi.api.BackendUnavailableException} and {@link
 * dev.coi.api.BackendException} carry the backend's status and message.
 */
public interface ContainerBackend extends AutoCloseable {

  /** A short name, as a user would choose it in configuration ({@code incus}). */
  String name();

  /**
   * Which container host this backend manages, as a stable text: two backends have the same
   * identity exactly when they see the same containers (for Incus, the daemon's certificate
   * fingerprint, however it is reached). Sessions started on another identity are never swept or
   * rescued through this one, even when they share a sessions directory. The default, {@link
   * #name()}, suits a backend of which a machine has one.
   */
  default String identity() {
    return name();
  }

  /** Higher wins among available backends. */
  default int priority() {
    return 0;
  }

  /**
   * Settings from coi's configuration, given once before first use; a backend uses the fields that
   * apply to it. Incus reads {@link BackendSettings#socket()}, {@link BackendSettings#remote()}
   * (from {@code [incus]}) and {@link BackendSettings#shiftMounts()} (false maps mounts with {@code
   * raw.idmap} even where the kernel could shift them).
   */
  default void configure(BackendSettings settings) {}

  /** Whether this backend can be used on this machine now, and why not; never throws. */
  Availability availability();

  /**
   * Creates the container and starts it. Throws {@link dev.coi.api.ConflictException} when a
   * container of that name exists, {@link dev.coi.api.ImageNotFoundException} when the image does
   * not; in every failure nothing is left behind.
   */
  void create(ContainerSpec spec);

  /**
   * Which network modes this backend honours, and why. The default is a backend whose containers
   * have no network: every mode is then {@code none}.
   */
  default dev.coi.api.NetworkSupport networkSupport() {
    return dev.coi.api.NetworkSupport.withoutInterface(name() + " gives containers no network");
  }

  /**
   * What the container's {@code allowlist} filter lets through now, as the backend holds it
   * (address blocks or ranges); empty when the container has no such filter, or does not exist.
   */
  default java.util.List<String> allowlist(String container) {
    return java.util.List.of();
  }

  /** Starts a stopped container. */
  void start(String name);

  /**
   * This program holds the running container from now on (a session started on it, resumed or taken
   * over) until the returned hold is closed, the container is stopped or deleted, or the backend is
   * closed: what the backend maintains for a running container (Incus: an {@code allowlist}'s
   * addresses, resolved again at once for a container this backend did not just make) is kept up
   * meanwhile. When that fails the container is stopped and the failure thrown. The default
   * maintains nothing.
   */
  default ContainerHold hold(String name) {
    return ContainerHold.NONE;
  }

  /** Stops a running container at once (no graceful shutdown); an ephemeral one then vanishes. */
  void stop(String name);

  /**
   * Asks the container to shut down cleanly (its services stop, files are flushed) and stops it at
   * once if it has not within {@code timeout}. For containers that are kept. The default stops it
   * at once.
   */
  default void shutdown(String name, java.time.Duration timeout) {
    stop(name);
  }

  /**
   * Asks for a forced stop and returns once the backend has accepted it, without waiting for the
   * stop itself; an ephemeral container then vanishes on its own. For a program about to exit. The
   * default waits.
   */
  default void requestStop(String name) {
    stop(name);
  }

  /**
   * The containers whose stop is under way: asked for (by {@link #requestStop}, say, by a program
   * that has exited since) and not done. They still exist, and are about to stop (an ephemeral one,
   * to vanish), so a sweep leaves them to it rather than waiting. The default: none, for a backend
   * whose stops are done when they return.
   *
   * <pre>{@code
   * boolean onItsWay = backend.stopping().contains(name);
   * }</pre>
   */
  default java.util.Set<String> stopping() {
    return java.util.Set.of();
  }

  /** Stops the container if it runs, then deletes it; no error when it is already gone. */
  void delete(String name);

  /**
   * Removes what this backend made for containers that are gone (Incus: the network ACLs of
   * sessions whose container no longer exists) and returns their names. Called by every sweep.
   */
  default List<String> sweep() {
    return List.of();
  }

  Optional<ContainerInfo> find(String name);

  /**
   * Sets labels of an existing container, keeping the others: a kept container taken over by a new
   * session records its new owner.
   */
  void updateLabels(String name, Map<String, String> labels);

  /** The containers that carry coi's labels. */
  List<ContainerInfo> list();

  /**
   * Makes an ephemeral container one that is kept when it stops, as if it had been created with
   * {@code ephemeral(false)}; no change for a kept one. The default refuses: a backend that cannot
   * do it says so rather than let the container vanish.
   */
  default void keep(String name) {
    throw new dev.coi.api.CoiException(
        "the " + name() + " backend cannot keep a container it made ephemeral");
  }

  /** The images this backend holds. The default refuses, naming the backend. */
  default List<dev.coi.api.ImageInfo> images() {
    throw new dev.coi.api.CoiException("the " + name() + " backend cannot list images");
  }

  /**
   * What this backend knows of its own health for {@code coi doctor}: reachable, version, features,
   * storage, images. The default reports {@link #availability()} alone. Never throws.
   */
  default List<dev.coi.api.HostCheck> checks() {
    Availability a = availability();
    return List.of(
        a.isAvailable()
            ? dev.coi.api.HostCheck.ok(name(), "available")
            : dev.coi.api.HostCheck.of(
                name(), dev.coi.api.HostCheck.Status.FAILED, "not available", a.reason()));
  }

  /**
   * Writes a file in the container, replacing one that is there, with the given owner and mode
   * ({@code 0600} is {@code 384}); its directory must exist ({@link dev.coi.api.NotFoundException}
   * otherwise).
   */
  void pushFile(String container, String path, byte[] content, int uid, int gid, int mode);

  /**
   * A file's content, or empty when there is no such file (a directory is none); a symlink is
   * followed.
   */
  Optional<byte[]> pullFile(String container, String path);

  /**
   * Copies a host file or directory tree to {@code target} in the container, every entry owned by
   * {@code uid}:{@code gid}, modes kept; a directory is merged into one already there, missing
   * parents of {@code target} are created (owned by {@code uid}:{@code gid}, mode {@code 0755}). A
   * single file lands at {@code target} itself. The host side is read without following a symbolic
   * link on any component of {@code source} or in the tree (links are pushed as links).
   */
  void pushTree(String container, Path source, String target, int uid, int gid);

  /**
   * Copies a file or directory tree of the container to {@code target} on the host, permission bits
   * kept. {@code target} must not exist ({@link dev.coi.api.ConflictException} naming it
   * otherwise); its missing parents are made. Throws {@link dev.coi.api.NotFoundException} when
   * {@code source} does not exist. Every host step is link-proof: no component of {@code target} is
   * followed if it is a symbolic link, also when the container swaps one in meanwhile.
   */
  void pullTree(String container, String source, Path target);

  /**
   * Runs a command to its end and captures its output. A command that asks for a {@linkplain
   * ExecSpec#terminal() terminal} is refused with an {@link IllegalArgumentException}: a terminal
   * merges stdout and stderr, which the result keeps apart; {@link #start} runs it on one.
   */
  ExecResult exec(String container, ExecSpec exec);

  /**
   * Starts a command with its streams live. With a {@linkplain ExecSpec#terminal() terminal} the
   * command runs on a pseudo-terminal of that size: {@link RunningCommand#stdout()} carries
   * everything it shows, {@link RunningCommand#stderr()} is empty, {@link RunningCommand#stdin()}
   * is its keyboard and {@link RunningCommand#resize} changes the size.
   *
   * <p>The default, for backends that can only capture, runs it to its end first (without a
   * terminal) and then offers what it wrote; its stdin is not read.
   */
  default RunningCommand start(String container, ExecSpec exec) {
    ExecResult result =
        exec(container, ExecSpec.builder().from(exec).terminal(Optional.empty()).build());
    return ended(result);
  }

  /**
   * A command that has already ended, offering what it wrote; its stdin is not read. For backends,
   * and fakes, that can only capture.
   */
  static RunningCommand ended(ExecResult result) {
    return new RunningCommand() {
      private final InputStream out =
          new ByteArrayInputStream(result.stdout().getBytes(StandardCharsets.UTF_8));
      private final InputStream err =
          new ByteArrayInputStream(result.stderr().getBytes(StandardCharsets.UTF_8));

      @Override
      public OutputStream stdin() {
        return OutputStream.nullOutputStream();
      }

      @Override
      public InputStream stdout() {
        return out;
      }

      @Override
      public InputStream stderr() {
        return err;
      }

      @Override
      public int waitFor() {
        return result.exitCode();
      }

      @Override
      public void close() {}
    };
  }

  /** The backend's image store, for image builds; empty when it has none. */
  default Optional<ImageStore> imageStore() {
    return Optional.empty();
  }

  /** Releases connections; the containers are not touched. */
  @Override
  void close();
}
