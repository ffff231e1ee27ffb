package dev.coi.incus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coi.api.NotFoundException;
import dev.coi.incus.transport.HttpRequest;
import dev.coi.incus.transport.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Instances: create, read, change state, update and delete. Every method waits for the daemon's
 * operation to finish unless its name says otherwise; failures are {@link
 * dev.coi.api.CoiException}s.
 *
 * <pre>{@code
 * Instances instances = client.instances();
 * instances.create(InstanceCreate.builder().name("demo").image("coi-sandbox").build());
 * instances.stop("demo", true);
 * instances.delete("demo");
 * }</pre>
 */
public final class Instances {
  private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{12,64}");
  static final Duration TIMEOUT = Duration.ofMinutes(5);

  private final Rest rest;

  Instances(Rest rest) {
    this.rest = rest;
  }

  /** Creates the instance, and starts it unless {@code start(false)}, in one request. */
  public void create(InstanceCreate create) {
    rest.runOperation("POST", "/1.0/instances", createBody(create), TIMEOUT);
  }

  static ObjectNode createBody(InstanceCreate create) {
    ObjectNode body = Rest.object();
    body.put("name", create.name()).put("type", "container").put("start", create.start());
    body.put("ephemeral", create.ephemeral());
    ObjectNode source = body.putObject("source").put("type", "image");
    source.put(
        FINGERPRINT.matcher(create.image()).matches() ? "fingerprint" : "alias", create.image());
    body.set("config", Json.stringObject(create.config()));
    ObjectNode devices = body.putObject("devices");
    create.devices().forEach((name, device) -> devices.set(name, Json.stringObject(device)));
    create.profiles().forEach(body.putArray("profiles")::add);
    return body;
  }

  /** The instance, with the entity tag a conditional {@link #update} needs. */
  public Instance get(String name) {
    String path = path(name);
    HttpResponse response = rest.send(HttpRequest.of("GET", path));
    JsonNode metadata = Rest.metadata(response, "GET " + path);
    return Instance.of(metadata, Optional.ofNullable(response.header("ETag")));
  }

  /** The instance, or empty when there is none of that name. */
  public Optional<Instance> find(String name) {
    return Rest.ifFound(() -> get(name));
  }

  public List<Instance> list() {
    return rest.list("/1.0/instances", json -> Instance.of(json, Optional.empty()));
  }

  /**
   * The instances whose config has every given key with the given value ({@code user.*} labels).
   */
  public List<Instance> list(Map<String, String> configFilter) {
    List<Instance> result = new ArrayList<>();
    for (Instance instance : list()) {
      if (instance.config().entrySet().containsAll(configFilter.entrySet())) {
        result.add(instance);
      }
    }
    return result;
  }

  public void start(String name) {
    changeState(name, "start", false, -1);
  }

  /** Stops the instance: at once with {@code force}, else letting it shut down for up to 30 s. */
  public void stop(String name, boolean force) {
    changeState(name, "stop", force, force ? -1 : 30);
  }

  /**
   * Asks the instance to shut down cleanly (its init gets the power-off signal) and waits up to
   * {@code timeout}; a {@link dev.coi.api.BackendException} says it did not stop in time.
   */
  public void shutdown(String name, java.time.Duration timeout) {
    changeState(name, "stop", false, (int) Math.max(1, timeout.toSeconds()));
  }

  /**
   * Asks for a forced stop and returns once the daemon has accepted it; the stop goes on in the
   * daemon, and an ephemeral instance is deleted when it completes.
   */
  public void requestStop(String name) {
    rest.submit("PUT", path(name) + "/state", stateBody("stop", true, -1));
  }

  public void restart(String name, boolean force) {
    changeState(name, "restart", force, force ? -1 : 30);
  }

  /** Freezes every process of the instance (cgroup freezer). */
  public void freeze(String name) {
    changeState(name, "freeze", false, -1);
  }

  public void unfreeze(String name) {
    changeState(name, "unfreeze", false, -1);
  }

  private void changeState(String name, String action, boolean force, int timeoutSeconds) {
    rest.runOperation(
        "PUT", path(name) + "/state", stateBody(action, force, timeoutSeconds), TIMEOUT);
  }

  private static ObjectNode stateBody(String action, boolean force, int timeoutSeconds) {
    return Rest.object().put("action", action).put("timeout", timeoutSeconds).put("force", force);
  }

  /**
   * Merges config keys and devices into the instance ({@code PATCH}: it adds and replaces, and
   * cannot remove; see {@link #removeDevice}). With the entity tag of a {@link #get}, the update
   * applies only if nothing changed since: a {@link dev.coi.api.ConflictException} says someone
   * else did.
   */
  public void update(
      String name,
      Map<String, String> config,
      Map<String, Map<String, String>> devices,
      Optional<String> etag) {
    ObjectNode body = Rest.object();
    body.set("config", Json.stringObject(config));
    ObjectNode deviceNode = body.putObject("devices");
    devices.forEach((device, props) -> deviceNode.set(device, Json.stringObject(props)));
    rest.runOperation(conditional("PATCH", path(name), body, etag), TIMEOUT, false);
  }

  /**
   * Removes a device (hot-unplugging a disk from a running container). The daemon's {@code PATCH}
   * cannot remove, so this reads the instance and writes it back whole without the device, on
   * condition that nothing changed in between.
   */
  public void removeDevice(String name, String device) {
    String path = path(name);
    HttpResponse response = rest.send(HttpRequest.of("GET", path));
    JsonNode current = Rest.metadata(response, "GET " + path);
    if (!current.path("devices").has(device)) {
      throw new NotFoundException("Incus: instance " + name + " has no device " + device);
    }
    ObjectNode writable = Rest.object();
    for (String field :
        List.of(
            "architecture",
            "config",
            "devices",
            "ephemeral",
            "profiles",
            "stateful",
            "description")) {
      if (current.has(field)) {
        writable.set(field, current.get(field).deepCopy());
      }
    }
    ((ObjectNode) writable.get("devices")).remove(device);
    Optional<String> etag = Optional.ofNullable(response.header("ETag"));
    rest.runOperation(conditional("PUT", path, writable, etag), TIMEOUT, false);
  }

  static HttpRequest conditional(String method, String path, JsonNode body, Optional<String> etag) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    etag.ifPresent(tag -> headers.put("If-Match", tag));
    return new HttpRequest(
        method,
        path,
        headers,
        Rest.write(body).getBytes(StandardCharsets.UTF_8),
        HttpRequest.DEFAULT_TIMEOUT);
  }

  /**
   * Makes an instance ephemeral or not ({@code PATCH} of its {@code ephemeral} field): a kept one
   * survives its stop, an ephemeral one is deleted by it.
   */
  public void setEphemeral(String name, boolean ephemeral) {
    ObjectNode body = Rest.object().put("ephemeral", ephemeral);
    rest.runOperation("PATCH", path(name), body, TIMEOUT);
  }

  /** Deletes a stopped instance; a running one is refused (stop it first). */
  public void delete(String name) {
    rest.runOperation("DELETE", path(name), null, TIMEOUT);
  }

  static String path(String name) {
    return "/1.0/instances/" + Rest.encode(name);
  }
}
