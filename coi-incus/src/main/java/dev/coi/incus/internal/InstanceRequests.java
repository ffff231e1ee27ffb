package dev.coi.incus.internal;

import dev.coi.api.Mount;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.ContainerStatus;
import dev.coi.api.spi.ExecSpec;
import dev.coi.api.spi.IdMap;
import dev.coi.incus.ExecRequest;
import dev.coi.incus.Instance;
import dev.coi.incus.InstanceCreate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Translates coi's container values to Incus's and back. */
final class InstanceRequests {
  /** coi's labels live in Incus's free-form {@code user.*} config keys. */
  static final String LABEL_PREFIX = "user.coi.";

  private InstanceRequests() {}

  /** One request that creates the instance with its devices and labels and starts it. */
  static InstanceCreate create(ContainerSpec spec) {
    InstanceCreate.Builder create =
        InstanceCreate.builder().name(spec.name()).image(spec.image()).ephemeral(spec.ephemeral());
    spec.labels().forEach((k, v) -> create.putConfig(LABEL_PREFIX + k, v));
    if (spec.nesting()) {
      create.putConfig("security.nesting", "true");
      create.putConfig("security.syscalls.intercept.mknod", "true");
      create.putConfig("security.syscalls.intercept.setxattr", "true");
    }
    spec.idMap().ifPresent(map -> create.putConfig("raw.idmap", rawIdmap(map)));
    for (Mount mount : spec.mounts()) {
      Map<String, String> disk = new LinkedHashMap<>();
      disk.put("type", "disk");
      disk.put("source", mount.source().toString());
      disk.put("path", mount.target());
      if (spec.idMap().isEmpty()) {
        disk.put("shift", "true");
      }
      if (mount.readOnly()) {
        disk.put("readonly", "true");
      }
      create.putDevices(deviceName(mount.target()), disk);
    }
    return create.build();
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

  static ExecRequest exec(ExecSpec exec) {
    return ExecRequest.builder()
        .command(exec.command())
        .user(exec.uid())
        .group(exec.gid())
        .cwd(exec.cwd())
        .environment(exec.environment())
        .build();
  }

  static ContainerInfo info(Instance instance) {
    ContainerInfo.Builder info =
        ContainerInfo.builder()
            .name(instance.name())
            .ephemeral(instance.ephemeral())
            .status(status(instance.status()));
    instance
        .config()
        .forEach(
            (key, value) -> {
              if (key.startsWith(LABEL_PREFIX)) {
                info.putLabels(key.substring(LABEL_PREFIX.length()), value);
              }
            });
    return info.build();
  }

  /** The instances that carry at least one coi label. */
  static List<ContainerInfo> coiInstances(List<Instance> instances) {
    List<ContainerInfo> result = new ArrayList<>();
    for (Instance instance : instances) {
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
