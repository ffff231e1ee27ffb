package dev.coi.api.testing;

import dev.coi.api.ConflictException;
import dev.coi.api.ExecResult;
import dev.coi.api.ImageNotFoundException;
import dev.coi.api.NotFoundException;
import dev.coi.api.spi.Availability;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.ContainerStatus;
import dev.coi.api.spi.ExecSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * An in-memory {@link ContainerBackend} for unit tests: containers are entries in a map, exec
 * answers through a function the test sets. It keeps every spec and exec it was given, so tests can
 * assert on what the engine asked for.
 */
public class FakeContainerBackend implements ContainerBackend {
  private final Map<String, ContainerSpec> specs = new LinkedHashMap<>();
  private final Map<String, ContainerStatus> states = new LinkedHashMap<>();
  private final Set<String> images;
  private final List<ExecSpec> execs = new CopyOnWriteArrayList<>();
  private final List<String> stopRequests = new CopyOnWriteArrayList<>();
  private volatile Map<String, String> settings = Map.of();
  private volatile Function<ExecSpec, ExecResult> execHandler = e -> ExecResult.of(0, "", "");
  private boolean closed;

  public FakeContainerBackend(String... images) {
    this.images = Set.of(images);
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
    if (!images.contains(spec.image())) {
      throw new ImageNotFoundException(spec.image(), "image '" + spec.image() + "' not found");
    }
    specs.put(spec.name(), spec);
    states.put(spec.name(), ContainerStatus.RUNNING);
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
      specs.remove(name);
      states.remove(name);
    } else {
      states.put(name, ContainerStatus.STOPPED);
    }
  }

  @Override
  public synchronized void delete(String name) {
    specs.remove(name);
    states.remove(name);
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

  @Override
  public ExecResult exec(String container, ExecSpec exec) {
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
  public void pushFile(String container, String path, byte[] content, int uid, int gid, int mode) {
    throw new UnsupportedOperationException("files: not yet in the fake");
  }

  @Override
  public Optional<byte[]> pullFile(String container, String path) {
    throw new UnsupportedOperationException("files: not yet in the fake");
  }

  @Override
  public void pushTree(
      String container, java.nio.file.Path source, String target, int uid, int gid) {
    throw new UnsupportedOperationException("files: not yet in the fake");
  }

  @Override
  public void pullTree(String container, String source, java.nio.file.Path target) {
    throw new UnsupportedOperationException("files: not yet in the fake");
  }

  @Override
  public synchronized void close() {
    closed = true;
  }
}
