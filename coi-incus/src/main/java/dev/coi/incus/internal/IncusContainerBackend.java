package dev.coi.incus.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coi.api.BackendException;
import dev.coi.api.CoiException;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * coi's backend on Incus, over the daemon's REST API. Found by {@link java.util.ServiceLoader};
 * connects on first use to the local socket ({@code INCUS_SOCKET}, {@code INCUS_DIR}, {@code
 * /run/incus}, {@code /var/lib/incus}).
 */
public final class IncusContainerBackend implements ContainerBackend {
  private static final Duration OPERATION_TIMEOUT = Duration.ofMinutes(5);
  private static final int EXEC_ATTEMPTS = 4;

  private final Map<String, String> env;
  private IncusClient client;

  /** The backend of the local daemon, as {@link java.util.ServiceLoader} creates it. */
  public IncusContainerBackend() {
    this(System.getenv());
  }

  IncusContainerBackend(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  private synchronized IncusClient client() {
    if (client == null) {
      client = IncusClient.local(env);
    }
    return client;
  }

  @Override
  public String name() {
    return "incus";
  }

  @Override
  public int priority() {
    return 100;
  }

  @Override
  public Availability availability() {
    try {
      JsonNode server = client().server();
      if (!"trusted".equals(server.path("auth").asText())) {
        return Availability.unavailable(
            "Incus at " + client().endpoint() + " does not trust this client");
      }
      return Availability.available();
    } catch (CoiException e) {
      return Availability.unavailable(e.getMessage());
    }
  }

  @Override
  public void create(ContainerSpec spec) {
    ObjectNode body = InstanceRequests.create(spec);
    try {
      client().runOperation("POST", "/1.0/instances", body, OPERATION_TIMEOUT);
    } catch (ConflictException e) {
      throw new ConflictException("container " + spec.name() + " already exists");
    } catch (CoiException e) {
      throw explainFailedCreate(spec, e);
    }
  }

  /**
   * Decides from the daemon's state, not its wording, what a failed create means. Racing creates of
   * one name fail in several ways ("already exists", a database constraint, "busy running a start
   * operation"): an instance of that name that is not ours means the name is taken. One that is
   * ours was left by a start that failed, and is removed. Otherwise a missing image is the usual
   * cause, and Incus words that several ways too.
   */
  private CoiException explainFailedCreate(ContainerSpec spec, CoiException failure) {
    try {
      Optional<ContainerInfo> left = find(spec.name());
      if (left.isPresent() && !left.get().labels().equals(spec.labels())) {
        return new ConflictException("container " + spec.name() + " already exists");
      }
      if (left.isPresent()) {
        delete(spec.name());
      }
      if (!imageExists(spec.image())) {
        return new ImageNotFoundException(
            spec.image(),
            "image '"
                + spec.image()
                + "' not found on Incus: build it (bash images/setup-host.sh builds coi's images)"
                + " or choose another with CLAUDE_ON_INCUS_IMAGE");
      }
    } catch (CoiException whileExplaining) {
      failure.addSuppressed(whileExplaining);
    }
    return failure;
  }

  boolean imageExists(String image) {
    try {
      client().get("/1.0/images/aliases/" + IncusClient.encode(image));
      return true;
    } catch (NotFoundException e) {
      try {
        client().get("/1.0/images/" + IncusClient.encode(image));
        return true;
      } catch (NotFoundException notAFingerprint) {
        return false;
      }
    }
  }

  @Override
  public void start(String name) {
    changeState(name, "start");
  }

  @Override
  public void stop(String name) {
    changeState(name, "stop");
  }

  @Override
  public void requestStop(String name) {
    try {
      client().submit("PUT", instancePath(name) + "/state", stateChange("stop"));
    } catch (NotFoundException alreadyGone) {
      // An ephemeral container that stopped by itself is gone already.
    } catch (BackendException notRunning) {
      // Stopped but still there (not ephemeral, or not yet deleted): remove it the long way.
      delete(name);
    }
  }

  private void changeState(String name, String action) {
    client()
        .runOperation("PUT", instancePath(name) + "/state", stateChange(action), OPERATION_TIMEOUT);
  }

  private static ObjectNode stateChange(String action) {
    ObjectNode body = IncusClient.object().put("action", action).put("timeout", -1);
    if ("stop".equals(action)) {
      body.put("force", true);
    }
    return body;
  }

  @Override
  public void delete(String name) {
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
      client().runOperation("DELETE", instancePath(name), null, OPERATION_TIMEOUT);
    } catch (NotFoundException alreadyGone) {
      // Someone else (or Incus, for an ephemeral one) removed it meanwhile: the goal is reached.
    }
  }

  @Override
  public Optional<ContainerInfo> find(String name) {
    try {
      return Optional.of(InstanceRequests.info(client().get(instancePath(name))));
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }

  @Override
  public List<ContainerInfo> list() {
    JsonNode instances = client().get("/1.0/instances?recursion=1");
    return InstanceRequests.coiInstances(instances);
  }

  @Override
  public ExecResult exec(String container, ExecSpec exec) {
    String path = instancePath(container);
    JsonNode op = null;
    for (int attempt = 1; attempt <= EXEC_ATTEMPTS; attempt++) {
      op =
          client()
              .runOperation(
                  "POST", path + "/exec", InstanceRequests.exec(exec), OPERATION_TIMEOUT, true);
      if (!isUnstartedExec(op) || attempt == EXEC_ATTEMPTS) {
        break;
      }
      pause(attempt * 100L);
    }
    JsonNode metadata = op.path("metadata");
    if (!metadata.has("return")) {
      throw new BackendException(
          500,
          "Incus could not run "
              + exec.command().get(0)
              + " in "
              + container
              + ": "
              + op.path("err").asText());
    }
    int exitCode = metadata.path("return").asInt();
    JsonNode output = metadata.path("output");
    String stdout = fetchAndDeleteLog(output.path("1").asText(""));
    String stderr = fetchAndDeleteLog(output.path("2").asText(""));
    if (exitCode == 127 && stderr.isEmpty()) {
      // Incus itself found no such program; say so as a shell would.
      stderr = exec.command().get(0) + ": command not found\n";
    }
    return ExecResult.of(exitCode, stdout, stderr);
  }

  /**
   * Incus's exec helper can die before it reports the attached process (seen while systemd boots in
   * a fresh container): the command never ran, so running it again is safe.
   */
  static boolean isUnstartedExec(JsonNode op) {
    return !op.path("metadata").has("return")
        && op.path("err").asText().contains("Failed to retrieve PID of executing child process");
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CoiException("interrupted while retrying an exec", e);
    }
  }

  private String fetchAndDeleteLog(String logPath) {
    if (logPath.isEmpty()) {
      return "";
    }
    byte[] bytes = client().getRaw(logPath);
    try {
      client().sync("DELETE", logPath, null);
    } catch (NotFoundException ignored) {
      // Already removed; nothing else to clean.
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static String instancePath(String name) {
    return "/1.0/instances/" + IncusClient.encode(name);
  }

  @Override
  public synchronized void close() {
    if (client != null) {
      client.close();
      client = null;
    }
  }
}
