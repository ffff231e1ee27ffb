package dev.coi.incus.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coi.api.Mount;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.ContainerStatus;
import dev.coi.api.spi.ExecSpec;
import dev.coi.api.spi.IdMap;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Translates coi's container values to Incus request bodies and Incus instances back. */
public final class InstanceRequests {
  /** coi's labels live in Incus's free-form {@code user.*} config keys. */
  public static final String LABEL_PREFIX = "user.coi.";

  private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{12,64}");

  private InstanceRequests() {}

  /**
   * One request that creates the instance with its devices and labels and starts it. Device and
   * config values are strings, as the daemon insists.
   */
  public static ObjectNode create(ContainerSpec spec) {
    ObjectNode body = IncusClient.object();
    body.put("name", spec.name()).put("type", "container").put("start", true);
    body.put("ephemeral", spec.ephemeral());
    ObjectNode source = body.putObject("source").put("type", "image");
    if (FINGERPRINT.matcher(spec.image()).matches()) {
      source.put("fingerprint", spec.image());
    } else {
      source.put("alias", spec.image());
    }
    ObjectNode config = body.putObject("config");
    spec.labels().forEach((k, v) -> config.put(LABEL_PREFIX + k, v));
    if (spec.nesting()) {
      config.put("security.nesting", "true");
      config.put("security.syscalls.intercept.mknod", "true");
      config.put("security.syscalls.intercept.setxattr", "true");
    }
    spec.idMap().ifPresent(map -> config.put("raw.idmap", rawIdmap(map)));
    ObjectNode devices = body.putObject("devices");
    for (Mount mount : spec.mounts()) {
      ObjectNode disk = devices.putObject(deviceName(mount.target()));
      disk.put("type", "disk").put("source", mount.source().toString()).put("path", mount.target());
      if (spec.idMap().isEmpty()) {
        disk.put("shift", "true");
      }
      if (mount.readOnly()) {
        disk.put("readonly", "true");
      }
    }
    return body;
  }

  static String rawIdmap(IdMap map) {
    return "uid "
        + map.hostUid()
        + " "
        + map.containerUid()
        + "\ngid "
        + map.hostGid()
        + " "
        + map.containerGid();
  }

  /** A device name derived from the mount target: {@code /workspace} is {@code workspace}. */
  static String deviceName(String target) {
    String trimmed = target.replaceAll("^/+|/+$", "");
    String name = trimmed.isEmpty() ? "root-mount" : trimmed.replaceAll("[^A-Za-z0-9_.-]", "-");
    return name.length() > 60 ? name.substring(0, 60) : name;
  }

  public static ObjectNode exec(ExecSpec exec) {
    ObjectNode body = IncusClient.object();
    exec.command().forEach(body.putArray("command")::add);
    body.put("record-output", true)
        .put("wait-for-websocket", false)
        .put("interactive", false)
        .put("user", exec.uid())
        .put("group", exec.gid())
        .put("cwd", exec.cwd());
    ObjectNode environment = body.putObject("environment");
    exec.environment().forEach(environment::put);
    return body;
  }

  public static ContainerInfo info(JsonNode instance) {
    ContainerInfo.Builder info =
        ContainerInfo.builder()
            .name(instance.path("name").asText())
            .ephemeral(instance.path("ephemeral").asBoolean())
            .status(status(instance.path("status").asText()));
    Iterator<Map.Entry<String, JsonNode>> config = instance.path("config").fields();
    while (config.hasNext()) {
      Map.Entry<String, JsonNode> e = config.next();
      if (e.getKey().startsWith(LABEL_PREFIX)) {
        info.putLabels(e.getKey().substring(LABEL_PREFIX.length()), e.getValue().asText());
      }
    }
    return info.build();
  }

  /** The instances that carry at least one coi label. */
  public static List<ContainerInfo> coiInstances(JsonNode instances) {
    List<ContainerInfo> result = new ArrayList<>();
    for (JsonNode instance : instances) {
      ContainerInfo info = info(instance);
      if (!info.labels().isEmpty()) {
        result.add(info);
      }
    }
    return result;
  }

  static ContainerStatus status(String incusStatus) {
    switch (incusStatus) {
      case "Running":
        return ContainerStatus.RUNNING;
      case "Stopped":
        return ContainerStatus.STOPPED;
      default:
        return ContainerStatus.OTHER;
    }
  }
}
