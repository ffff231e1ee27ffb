package dev.coi.incus.backend;

import dev.coi.api.BackendException;
import dev.coi.api.CoiException;
import dev.coi.api.ConflictException;
import dev.coi.api.ExecResult;
import dev.coi.api.NotFoundException;
import dev.coi.api.RunningCommand;
import dev.coi.api.spi.Availability;
import dev.coi.api.spi.BackendSettings;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.ContainerStatus;
import dev.coi.api.spi.ExecSpec;
import dev.coi.incus.ExecOutput;
import dev.coi.incus.ExecProcess;
import dev.coi.incus.IncusClient;
import dev.coi.incus.InstanceCreate;
import dev.coi.incus.Operation;
import dev.coi.incus.ServerInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * coi's backend on Incus, over the public {@link IncusClient}. Found by {@link
 * java.util.ServiceLoader}; connects on first use to the local socket ({@code INCUS_SOCKET}, {@code
 * INCUS_DIR}, {@code /run/incus}, {@code /var/lib/incus}).
 */
public final class IncusContainerBackend implements ContainerBackend {
  /** How Incus describes the operations of an instance on its way out (measured on 6.0). */
  private static final Set<String> LEAVING = Set.of("Stopping instance", "Deleting instance");

  private static final String INSTANCES = "/1.0/instances/";

  private final Map<String, String> env;
  private BackendSettings settings = BackendSettings.none();
  private IncusClient client;
  private Boolean shifting;
  private String identity;
  private ServerInfo server;
  private final NetworkGuard network;

  /** The backend of the local daemon, as {@link java.util.ServiceLoader} creates it. */
  public IncusContainerBackend() {
    this(System.getenv());
  }

  IncusContainerBackend(Map<String, String> env) {
    this(env, NetworkGuard::new);
  }

  /** With the network guard a test makes (its resolver, the preflight verdict it gives). */
  IncusContainerBackend(
      Map<String, String> env,
      java.util.function.BiFunction<
              java.util.function.Supplier<IncusClient>,
              java.util.function.Supplier<ServerInfo>,
              NetworkGuard>
          network) {
    this.env = Map.copyOf(env);
    this.network = network.apply(this::client, this::server);
  }

  @Override
  public synchronized void configure(BackendSettings newSettings) {
    this.settings = newSettings;
  }

  private synchronized IncusClient client() {
    if (client == null) {
      client = DaemonConnection.open(settings, env);
    }
    return client;
  }

  @Override
  public String name() {
    return "incus";
  }

  /**
   * The daemon's certificate fingerprint: one daemon reached over its socket or over HTTPS is one
   * identity, two daemons are two, whatever their names.
   */
  @Override
  public synchronized String identity() {
    if (identity == null) {
      String fingerprint = server().certificateFingerprint();
      if (fingerprint.isEmpty()) {
        throw new dev.coi.api.BackendException(
            0, "Incus at " + client().endpoint() + " did not say its certificate fingerprint");
      }
      identity = "incus:" + fingerprint;
    }
    return identity;
  }

  @Override
  public int priority() {
    return 100;
  }

  @Override
  public Availability availability() {
    try {
      ServerInfo server = client().server();
      synchronized (this) {
        this.server = server;
      }
      if (!server.isTrusted()) {
        return Availability.unavailable(
            "Incus at " + client().endpoint() + " does not trust this client");
      }
      return Availability.available();
    } catch (CoiException e) {
      return Availability.unavailable(e.getMessage());
    }
  }

  /**
   * What the daemon said of itself when last asked ({@link #availability()} asks anew): its
   * identity and kernel features do not change while it runs, and asking again costs a request and
   * the parsing of its long answer on every session's start.
   */
  private synchronized ServerInfo server() {
    if (server == null) {
      server = client().server();
    }
    return server;
  }

  /**
   * Whether mounts can be shifted: the daemon's kernel idmaps mounts, and {@link
   * BackendSettings#shiftMounts()} does not turn it off (for file systems that refuse idmapped
   * mounts). Asked once.
   */
  private synchronized boolean shifting() {
    if (shifting == null) {
      shifting = settings.shiftMounts() && server().idmappedMounts();
    }
    return shifting;
  }

  @Override
  public void create(ContainerSpec spec) {
    InstanceCreate plain = InstanceRequests.create(spec, shifting());
    NetworkGuard.Prepared prepared = network.prepare(spec);
    InstanceCreate request =
        InstanceCreate.builder().from(plain).putAllDevices(prepared.devices()).build();
    try {
      new InstanceCreation(this::client, this::find, this::deleteInstance).create(spec, request);
    } catch (RuntimeException e) {
      network.release(prepared);
      throw e;
    }
    try {
      network.started(spec.name(), prepared);
    } catch (RuntimeException unpinned) {
      delete(spec.name()); // nothing half-made: the container, then its ACL
      throw unpinned;
    }
  }

  @Override
  public dev.coi.api.NetworkSupport networkSupport() {
    return network.support();
  }

  @Override
  public List<String> allowlist(String container) {
    return network.allowlist(container);
  }

  @Override
  public List<String> sweep() {
    return network.sweep();
  }

  /**
   * {@inheritDoc} An {@code allowlist} session's container is held from then on ({@link #hold}):
   * its names are resolved again at once and followed, or it is stopped again.
   */
  @Override
  public void start(String name) {
    network.unfollow(name); // a new run: resolved anew
    client().instances().start(name);
    hold(name);
  }

  /**
   * {@inheritDoc} Keeps an {@code allowlist} session's addresses up: those of a container this
   * backend did not just make or start (a session taken over from another program) are resolved
   * again at once, the ACL updated if its rules changed and {@code /etc/hosts} pinned anew; then
   * again on each answer's TTL.
   */
  @Override
  public dev.coi.api.spi.ContainerHold hold(String name) {
    try {
      network.resume(name);
    } catch (RuntimeException failed) {
      try {
        stop(name); // fail closed, and stopped before this returns
      } catch (CoiException stoppedAlready) {
        failed.addSuppressed(stoppedAlready);
      }
      throw new CoiException(
          "stopped container "
              + name
              + ": its network allowlist could not be refreshed ("
              + failed.getMessage()
              + "): start it again once its names resolve, or start a new session",
          failed);
    }
    return () -> network.unfollow(name);
  }

  @Override
  public void stop(String name) {
    network.unfollow(name);
    client().instances().stop(name, true);
  }

  @Override
  public void shutdown(String name, java.time.Duration timeout) {
    network.unfollow(name);
    try {
      client().instances().shutdown(name, timeout);
    } catch (NotFoundException gone) {
      throw gone;
    } catch (BackendException notInTime) {
      // Its init ignored the power-off signal or took too long: stop it the hard way.
      if (find(name).map(c -> c.status() != ContainerStatus.STOPPED).orElse(false)) {
        stop(name);
      }
    }
  }

  @Override
  public void requestStop(String name) {
    network.unfollow(name);
    try {
      client().instances().requestStop(name);
    } catch (NotFoundException alreadyGone) {
      // An ephemeral container that stopped by itself is gone already.
    } catch (BackendException notRunning) {
      // Stopped but still there (not ephemeral, or not yet deleted): remove it the long way.
      delete(name);
    }
  }

  /**
   * The instances with a stop running in the daemon: its operations, for {@code /1.0/instances/…},
   * described as Incus describes a stop (forced or not) or a delete.
   */
  @Override
  public Set<String> stopping() {
    Set<String> names = new HashSet<>();
    for (Operation op : client().operations().list()) {
      if (!op.isDone() && LEAVING.contains(op.description())) {
        for (String resource : op.resources()) {
          if (resource.startsWith(INSTANCES)) {
            // The name, without a ?project=… an instance in a project is given with.
            names.add(resource.substring(INSTANCES.length()).replaceFirst("\\?.*$", ""));
          }
        }
      }
    }
    return names;
  }

  @Override
  public void delete(String name) {
    deleteInstance(name);
    // The container first, then its ACL: a NIC still using an ACL keeps it from deletion.
    network.afterDelete(name);
  }

  private void deleteInstance(String name) {
    Optional<ContainerInfo> info = find(name);
    if (info.isEmpty()) {
      return;
    }
    try {
      if (info.get().status() != ContainerStatus.STOPPED) {
        try {
          stop(name);
        } catch (NotFoundException | ConflictException e) {
          throw e;
        } catch (BackendException stoppingAlready) {
          // Stopped meanwhile, or a stop already under way: the delete below settles it.
        }
      }
      if (info.get().ephemeral() && find(name).isEmpty()) {
        // Incus deletes an ephemeral instance itself once it has stopped.
        return;
      }
      client().instances().delete(name);
    } catch (NotFoundException alreadyGone) {
      // Someone else (or Incus, for an ephemeral one) removed it meanwhile: the goal is reached.
    }
  }

  @Override
  public Optional<ContainerInfo> find(String name) {
    return client().instances().find(name).map(InstanceRequests::info);
  }

  @Override
  public void updateLabels(String name, Map<String, String> labels) {
    Map<String, String> config = new java.util.HashMap<>();
    labels.forEach((k, v) -> config.put(InstanceRequests.LABEL_PREFIX + k, v));
    client().instances().update(name, config, Map.of(), Optional.empty());
  }

  @Override
  public List<ContainerInfo> list() {
    return InstanceRequests.coiInstances(client().instances().list());
  }

  @Override
  public void keep(String name) {
    client().instances().setEphemeral(name, false);
  }

  @Override
  public List<dev.coi.api.ImageInfo> images() {
    return IncusHealth.images(client());
  }

  @Override
  public List<dev.coi.api.HostCheck> checks() {
    return IncusHealth.checks(client());
  }

  @Override
  public void pushFile(String container, String path, byte[] content, int uid, int gid, int mode) {
    client().files().push(container, path, content, uid, gid, mode);
  }

  @Override
  public Optional<byte[]> pullFile(String container, String path) {
    return files().pullFile(container, path);
  }

  @Override
  public void pushTree(String container, Path source, String target, int uid, int gid) {
    files().pushTree(container, source, target, uid, gid);
  }

  @Override
  public void pullTree(String container, String source, Path target) {
    files().pullTree(container, source, target);
  }

  private ContainerFiles files() {
    return new ContainerFiles(client().files());
  }

  @Override
  public RunningCommand start(String container, ExecSpec exec) {
    ExecProcess process = client().exec().start(container, InstanceRequests.exec(exec));
    return new IncusRunningCommand(process, exec);
  }

  /**
   * {@inheritDoc} A command that asks for a terminal is refused: a terminal merges stdout and
   * stderr, which a captured result keeps apart; {@link #start} runs it on one.
   */
  @Override
  public ExecResult exec(String container, ExecSpec exec) {
    exec.terminal()
        .ifPresent(
            t -> {
              throw new IllegalArgumentException(
                  "a captured exec has no terminal: run "
                      + exec.command().get(0)
                      + " with start() to give it one");
            });
    ExecOutput out = client().exec().run(container, InstanceRequests.exec(exec));
    String stderr = out.stderrText();
    if (out.exitCode() == 127 && stderr.isEmpty()) {
      // Incus itself found no such program; say so as a shell would.
      stderr = exec.command().get(0) + ": command not found\n";
    }
    return ExecResult.of(out.exitCode(), new String(out.stdout(), StandardCharsets.UTF_8), stderr);
  }

  @Override
  public Optional<dev.coi.api.spi.ImageStore> imageStore() {
    return Optional.of(new IncusImageStore(() -> client().images()));
  }

  @Override
  public synchronized void close() {
    network.close();
    if (client != null) {
      client.close();
      client = null;
    }
  }
}
