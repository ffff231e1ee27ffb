package dev.coi.api.testing;

import dev.coi.api.ConflictException;
import dev.coi.api.ExecResult;
import dev.coi.api.ImageNotFoundException;
import dev.coi.api.NotFoundException;
import dev.coi.api.RunningCommand;
import dev.coi.api.spi.Availability;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.ContainerStatus;
import dev.coi.api.spi.ExecSpec;
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
 * an in-memory file tree (files and directories with owner and mode, gone with the container), and
 * exec answers through a function the test sets; a command on a terminal is answered the same way.
 * It keeps every spec and exec it was given, so tests can assert on what the engine asked for.
 */
public class FakeContainerBackend implements ContainerBackend {
  private final Map<String, ContainerSpec> specs = new LinkedHashMap<>();
  private final Map<String, ContainerStatus> states = new LinkedHashMap<>();
  private final Map<String, FakeFiles> fileSystems = new HashMap<>();
  private final Set<String> images;
  private final List<ExecSpec> execs = new CopyOnWriteArrayList<>();
  private final List<String> stopRequests = new CopyOnWriteArrayList<>();
  private volatile Map<String, String> settings = Map.of();
  private volatile Function<ExecSpec, ExecResult> execHandler = e -> ExecResult.of(0, "", "");
  private boolean closed;
  private volatile String identity = "fake";

  public FakeContainerBackend(String... images) {
    this.images = Set.of(images);
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
  }

  public synchronized Map<String, ContainerSpec> created() {
    return Map.copyOf(specs);
  }

  @Override
  public void configure(Map<String, String> newSettings) {
    this.settings = Map.copyOf(newSettings);
  }

  /** The settings the engine configured this backend with. */
  public Map<String, String> settings() {
    return settings;
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
    if (!images.contains(spec.image())) {
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
  public synchronized void start(String name) {
    require(name);
    states.put(name, ContainerStatus.RUNNING);
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
    return execHandler.apply(exec);
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
    FakeFiles files = files(container);
    files.requireParent(container, path);
    files.putFile(container, path, content, uid, gid, mode);
  }

  @Override
  public synchronized Optional<byte[]> pullFile(String container, String path) {
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
