package dev.coi.tck;

import dev.coi.api.ConflictException;
import dev.coi.api.ExecResult;
import dev.coi.api.ImageNotFoundException;
import dev.coi.api.Mount;
import dev.coi.api.NotFoundException;
import dev.coi.api.RunningCommand;
import dev.coi.api.spi.Availability;
import dev.coi.api.spi.BackendSettings;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.ContainerStatus;
import dev.coi.api.spi.ExecSpec;
import dev.coi.api.spi.ImageStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * An in-memory {@link ContainerBackend} for unit tests: containers are entries in a map, each with
 * an in-memory file tree (files, directories and links with owner and mode, gone with the
 * container). Paths under a {@linkplain ContainerSpec#mounts() mount} are the host's files (for
 * single files and commands; {@code pushTree} and {@code pullTree} stay in memory): a file written
 * there by container uid {@code n} belongs on the host to the uid the {@linkplain
 * ContainerSpec#idMap() id map} gives (the same {@code n} without one), as with Incus. Exec answers
 * through a function the test sets, or, after {@link #runCommands()}, through a tiny shell ({@code
 * FakeShell}: echo, id, pwd, stat, exit and redirections); a command on a terminal is answered the
 * same way. It keeps every spec and exec it was given, so tests can assert on what the engine asked
 * for.
 */
public class FakeContainerBackend implements ContainerBackend {
  private final Map<String, ContainerSpec> specs = new LinkedHashMap<>();
  private final Map<String, ContainerStatus> states = new LinkedHashMap<>();
  private final Map<String, FakeFiles> fileSystems = new HashMap<>();
  private final FakeImageStore images;
  private final List<ExecSpec> execs = new CopyOnWriteArrayList<>();
  private final List<String> stopRequests = new CopyOnWriteArrayList<>();
  private final List<String> held = new CopyOnWriteArrayList<>();
  private volatile RuntimeException holdFailure;
  private volatile BackendSettings settings = BackendSettings.none();
  private volatile boolean configured;
  private volatile Function<ExecSpec, ExecResult> execHandler = e -> ExecResult.of(0, "", "");
  private volatile boolean runsCommands;
  private boolean closed;
  private volatile String identity = "fake";

  public FakeContainerBackend(String... images) {
    this.images = new FakeImageStore(this::find, List.of(images));
  }

  /**
   * Makes this backend stand for another container host than the default {@code fake}: sessions it
   * starts are not another identity's to sweep, and the other way round.
   */
  public FakeContainerBackend identity(String identity) {
    this.identity = identity;
    return this;
  }

  @Override
  public String identity() {
    return identity;
  }

  /** What exec answers from now on. */
  public void onExec(Function<ExecSpec, ExecResult> handler) {
    this.execHandler = handler;
    this.runsCommands = false;
  }

  /** From now on exec runs the few commands of {@code FakeShell} on the container's files. */
  public FakeContainerBackend runCommands() {
    this.runsCommands = true;
    return this;
  }

  public synchronized Map<String, ContainerSpec> created() {
    return Map.copyOf(specs);
  }

  @Override
  public void configure(BackendSettings newSettings) {
    this.settings = newSettings;
    this.configured = true;
  }

  /** The settings the engine configured this backend with; empty before it did. */
  public Optional<BackendSettings> settings() {
    return configured ? Optional.of(settings) : Optional.empty();
  }

  /** The containers whose stop was requested without waiting, in order. */
  public List<String> stopRequests() {
    return List.copyOf(stopRequests);
  }

  @Override
  public void requestStop(String name) {
    stopRequests.add(name);
    stop(name);
  }

  public List<ExecSpec> execs() {
    return List.copyOf(execs);
  }

  public synchronized boolean isClosed() {
    return closed;
  }

  @Override
  public String name() {
    return "fake";
  }

  @Override
  public Availability availability() {
    return Availability.available();
  }

  @Override
  public synchronized void create(ContainerSpec spec) {
    if (specs.containsKey(spec.name())) {
      throw new ConflictException("container " + spec.name() + " already exists");
    }
    for (String limit : spec.limits().keySet()) {
      if (!Set.of("cpu", "memory", "processes").contains(limit)) {
        throw new IllegalArgumentException(
            "unknown limit '" + limit + "': coi knows cpu, memory, processes");
      }
    }
    if (!images.has(spec.image())) {
      throw new ImageNotFoundException(spec.image(), "image '" + spec.image() + "' not found");
    }
    specs.put(spec.name(), spec);
    states.put(spec.name(), ContainerStatus.RUNNING);
  }

  @Override
  public synchronized void updateLabels(String name, Map<String, String> labels) {
    ContainerSpec spec = specs.get(require(name));
    specs.put(name, ContainerSpec.builder().from(spec).putAllLabels(labels).build());
  }

  @Override
  public synchronized void keep(String name) {
    ContainerSpec spec = specs.get(require(name));
    specs.put(name, ContainerSpec.builder().from(spec).ephemeral(false).build());
  }

  /** What its image store holds: the images given at construction, and those published since. */
  @Override
  public synchronized List<dev.coi.api.ImageInfo> images() {
    List<dev.coi.api.ImageInfo> result = new ArrayList<>();
    for (dev.coi.api.spi.ImageInfo image : images.list()) {
      result.add(
          dev.coi.api.ImageInfo.builder()
              .aliases(image.aliases())
              .fingerprint(image.fingerprint())
              .size(image.size())
              .build());
    }
    return result;
  }

  @Override
  public synchronized void start(String name) {
    require(name);
    states.put(name, ContainerStatus.RUNNING);
  }

  /** From now on {@link #hold} throws this, as a backend that cannot keep a container up. */
  public void failHolds(RuntimeException failure) {
    this.holdFailure = failure;
  }

  /** Holds the container until the hold is closed; see {@link #held()}. */
  @Override
  public synchronized dev.coi.api.spi.ContainerHold hold(String name) {
    require(name);
    if (holdFailure != null) {
      throw holdFailure;
    }
    held.add(name);
    java.util.concurrent.atomic.AtomicBoolean open =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    return () -> {
      if (open.getAndSet(false)) {
        held.remove(name);
      }
    };
  }

  /** The containers held now, once per open hold. */
  public List<String> held() {
    return List.copyOf(held);
  }

  @Override
  public synchronized void stop(String name) {
    require(name);
    if (specs.get(name).ephemeral()) {
      delete(name);
    } else {
      states.put(name, ContainerStatus.STOPPED);
    }
  }

  @Override
  public synchronized void delete(String name) {
    specs.remove(name);
    states.remove(name);
    fileSystems.remove(name);
  }

  @Override
  public synchronized Optional<ContainerInfo> find(String name) {
    if (!specs.containsKey(name)) {
      return Optional.empty();
    }
    ContainerSpec spec = specs.get(name);
    return Optional.of(
        ContainerInfo.builder()
            .name(name)
            .status(states.get(name))
            .ephemeral(spec.ephemeral())
            .labels(spec.labels())
            .build());
  }

  /** The in-memory image store: the images given at construction, and those published since. */
  @Override
  public Optional<ImageStore> imageStore() {
    return Optional.of(images);
  }

  @Override
  public synchronized List<ContainerInfo> list() {
    List<ContainerInfo> result = new ArrayList<>();
    for (String name : specs.keySet()) {
      find(name).filter(i -> !i.labels().isEmpty()).ifPresent(result::add);
    }
    return result;
  }

  /** As every backend, refuses a terminal; {@link #start} takes one. */
  @Override
  public ExecResult exec(String container, ExecSpec exec) {
    if (exec.terminal().isPresent()) {
      throw new IllegalArgumentException("a captured exec has no terminal: use start()");
    }
    return answer(container, exec);
  }

  /**
   * Answers through the exec handler as the default {@link ContainerBackend#start} does (the
   * command has ended before it returns; stdin is not read). A terminal is not emulated: the
   * handler sees the spec with its terminal, and {@code resize} does nothing.
   */
  @Override
  public RunningCommand start(String container, ExecSpec exec) {
    return ContainerBackend.ended(answer(container, exec));
  }

  private ExecResult answer(String container, ExecSpec exec) {
    synchronized (this) {
      if (states.get(require(container)) != ContainerStatus.RUNNING) {
        throw new dev.coi.api.BackendException(400, "container " + container + " is not running");
      }
    }
    execs.add(exec);
    if (runsCommands) {
      return new FakeShell(shellFiles(container), exec).run();
    }
    return execHandler.apply(exec);
  }

  private FakeShell.Files shellFiles(String container) {
    return new FakeShell.Files() {
      @Override
      public void write(String path, byte[] content, int uid, int gid) {
        synchronized (FakeContainerBackend.this) {
          Optional<Path> host = hostPath(container, path);
          if (host.isPresent()) {
            writeHost(container, path, host.get(), content, uid, gid, 0644);
          } else {
            pushFile(container, path, content, uid, gid, 0644);
          }
        }
      }

      @Override
      public Optional<String> ownerAndMode(String path) {
        return FakeContainerBackend.this.ownerAndMode(container, path);
      }
    };
  }

  /** Where a container path lies on the host, when a mount holds it; the deepest mount wins. */
  private Optional<Path> hostPath(String container, String path) {
    String p = FakeFiles.normalized(path);
    return specs.get(require(container)).mounts().stream()
        .filter(m -> p.equals(m.target()) || p.startsWith(m.target() + "/"))
        .max(java.util.Comparator.comparingInt(m -> m.target().length()))
        .map(
            m ->
                p.equals(m.target())
                    ? m.source()
                    : m.source().resolve(p.substring(m.target().length() + 1)));
  }

  private boolean readOnly(String container, String path) {
    String p = FakeFiles.normalized(path);
    return specs.get(container).mounts().stream()
        .filter(m -> p.equals(m.target()) || p.startsWith(m.target() + "/"))
        .max(java.util.Comparator.comparingInt(m -> m.target().length()))
        .map(Mount::readOnly)
        .orElse(false);
  }

  /** The host id of a container user: what the id map says, else the same id (a shifted mount). */
  private int hostId(String container, int containerId, boolean group) {
    return specs
        .get(container)
        .idMap()
        .filter(m -> (group ? m.containerGid() : m.containerUid()) == containerId)
        .map(m -> group ? m.hostGid() : m.hostUid())
        .orElse(containerId);
  }

  private int containerId(String container, int hostId, boolean group) {
    return specs
        .get(container)
        .idMap()
        .filter(m -> (group ? m.hostGid() : m.hostUid()) == hostId)
        .map(m -> group ? m.containerGid() : m.containerUid())
        .orElse(hostId);
  }

  private void writeHost(
      String container, String path, Path host, byte[] content, int uid, int gid, int mode) {
    if (readOnly(container, path)) {
      throw new dev.coi.api.BackendException(
          500, "cannot write " + path + " in " + container + ": read-only file system");
    }
    try {
      java.nio.file.Files.write(host, content);
      FakeFiles.setMode(host, mode);
      int hostUid = hostId(container, uid, false);
      int hostGid = hostId(container, gid, true);
      if (!java.nio.file.Files.getAttribute(host, "unix:uid").equals(hostUid)) {
        java.nio.file.Files.setAttribute(host, "unix:uid", hostUid);
      }
      if (!java.nio.file.Files.getAttribute(host, "unix:gid").equals(hostGid)) {
        java.nio.file.Files.setAttribute(host, "unix:gid", hostGid);
      }
    } catch (java.nio.file.NoSuchFileException e) {
      throw new NotFoundException(
          path + " in container " + container + ": its parent directory is missing");
    } catch (java.io.IOException e) {
      throw new dev.coi.api.CoiException("cannot write " + path + " in " + container + ": " + e, e);
    }
  }

  private String require(String name) {
    if (!specs.containsKey(name)) {
      throw new NotFoundException("container " + name + " not found");
    }
    return name;
  }

  @Override
  public synchronized void pushFile(
      String container, String path, byte[] content, int uid, int gid, int mode) {
    Optional<Path> host = hostPath(container, path);
    if (host.isPresent()) {
      writeHost(container, path, host.get(), content, uid, gid, mode);
      return;
    }
    FakeFiles files = files(container);
    files.requireParent(container, path);
    files.putFile(container, path, content, uid, gid, mode);
  }

  @Override
  public synchronized Optional<byte[]> pullFile(String container, String path) {
    Optional<Path> host = hostPath(container, path);
    if (host.isPresent()) {
      try {
        return java.nio.file.Files.isRegularFile(host.get())
            ? Optional.of(java.nio.file.Files.readAllBytes(host.get()))
            : Optional.empty();
      } catch (java.io.IOException e) {
        throw new dev.coi.api.CoiException(
            "cannot read " + path + " in " + container + ": " + e, e);
      }
    }
    return files(container).content(path);
  }

  @Override
  public synchronized void pushTree(
      String container, Path source, String target, int uid, int gid) {
    files(container).pushTree(container, source, target, uid, gid);
  }

  @Override
  public synchronized void pullTree(String container, String source, Path target) {
    files(container).pullTree(container, source, target);
  }

  /**
   * A path's owner and mode as {@code uid:gid:mode} with the mode in octal ({@code 1000:1000:640}),
   * as {@code stat -c %u:%g:%a} prints them; empty when nothing is there.
   */
  public synchronized Optional<String> ownerAndMode(String container, String path) {
    Optional<Path> host = hostPath(container, path);
    if (host.isPresent()) {
      try {
        Path h = host.get();
        if (!java.nio.file.Files.exists(h, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          return Optional.empty();
        }
        int uid =
            containerId(
                container, (Integer) java.nio.file.Files.getAttribute(h, "unix:uid"), false);
        int gid =
            containerId(container, (Integer) java.nio.file.Files.getAttribute(h, "unix:gid"), true);
        int mode = (Integer) java.nio.file.Files.getAttribute(h, "unix:mode") & 07777;
        return Optional.of(uid + ":" + gid + ":" + Integer.toOctalString(mode));
      } catch (java.io.IOException e) {
        throw new dev.coi.api.CoiException(
            "cannot read " + path + " in " + container + ": " + e, e);
      }
    }
    return files(container).ownerAndMode(path);
  }

  private FakeFiles files(String container) {
    require(container);
    return fileSystems.computeIfAbsent(container, c -> new FakeFiles());
  }

  @Override
  public synchronized void close() {
    closed = true;
  }
}
