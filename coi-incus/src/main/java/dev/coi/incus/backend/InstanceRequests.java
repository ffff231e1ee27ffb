package dev.coi.incus.backend;

import dev.coi.api.CoiException;
import dev.coi.api.InvalidSpecException;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Translates coi's container values to Incus's and back. */
final class InstanceRequests {
  /** coi's labels live in Incus's free-form {@code user.*} config keys. */
  static final String LABEL_PREFIX = "user.coi.";

  /** coi's limit names and their Incus config keys. */
  private static final Map<String, String> LIMITS =
      Map.of("cpu", "limits.cpu", "memory", "limits.memory", "processes", "limits.processes");

  private static final Map<String, String> EXAMPLES =
      Map.of(
          "cpu", "\"2\" (CPUs) or \"0-1\" (a set)",
          "memory", "\"4GiB\", \"512MiB\" or \"50%\"",
          "processes", "\"500\"");

  private InstanceRequests() {}

  /** One request that creates the instance with its devices and labels and starts it. */
  static InstanceCreate create(ContainerSpec spec) {
    return create(spec, true);
  }

  /**
   * The request, mapping the mounts' owner as the daemon can: a shifted (idmapped) mount when the
   * owner keeps its ids in the container and {@code shifting} is possible, otherwise {@code
   * raw.idmap} from the owner onto the container user.
   */
  static InstanceCreate create(ContainerSpec spec, boolean shifting) {
    Optional<IdMap> rawIdmap = spec.idMap().filter(map -> !shifting || !map.isIdentity());
    boolean shift = shifting && rawIdmap.isEmpty();
    InstanceCreate.Builder create =
        InstanceCreate.builder().name(spec.name()).image(spec.image()).ephemeral(spec.ephemeral());
    spec.labels().forEach((k, v) -> create.putConfig(LABEL_PREFIX + k, v));
    if (spec.nesting()) {
      create.putConfig("security.nesting", "true");
      create.putConfig("security.syscalls.intercept.mknod", "true");
      create.putConfig("security.syscalls.intercept.setxattr", "true");
    }
    if (!spec.setidAllowed()) {
      create.putConfig(SetidFilter.KEY, SetidFilter.RULES);
    }
    rawIdmap.ifPresent(map -> create.putConfig("raw.idmap", rawIdmap(map)));
    spec.limits().forEach((name, value) -> create.putConfig(limitKey(name, value), value));
    Set<String> names = new HashSet<>();
    for (Mount mount : spec.mounts()) {
      Map<String, String> disk = new LinkedHashMap<>();
      disk.put("type", "disk");
      disk.put("source", mount.source().toString());
      disk.put("path", mount.target());
      if (shift) {
        disk.put("shift", "true");
      }
      if (mount.readOnly()) {
        disk.put("readonly", "true");
      }
      create.putDevices(uniqueDeviceName(mount.target(), names), disk);
    }
    return create.build();
  }

  /** The Incus config key of one of coi's limits; an unknown name is a programming error. */
  static String limitKey(String name, String value) {
    String key = LIMITS.get(name);
    if (key == null) {
      throw new IllegalArgumentException(
          "unknown limit '"
              + name
              + "': coi knows "
              + String.join(", ", new java.util.TreeSet<>(LIMITS.keySet())));
    }
    if (name.equals("processes") && !value.matches("[1-9][0-9]*")) {
      // Incus takes any integer here, and a container with a negative one then fails to start.
      throw new InvalidSpecException(
          "processes limit \""
              + value
              + "\" is not a whole number of 1 or more: give, say, \"500\"");
    }
    return key;
  }

  /**
   * The limit a failed create names, when the daemon refused the instance before creating it: a
   * limit whose value, or whose resource ({@code CPU}), its message mentions.
   */
  static Optional<CoiException> refusedLimit(ContainerSpec spec, CoiException failure) {
    String message = String.valueOf(failure.getMessage());
    String lower = message.toLowerCase(Locale.ROOT);
    for (Map.Entry<String, String> limit : spec.limits().entrySet()) {
      String name = limit.getKey();
      String value = limit.getValue();
      boolean valueNamed =
          Pattern.compile("(?<![\\w.])" + Pattern.quote(value) + "(?![\\w.])")
              .matcher(message)
              .find();
      if (valueNamed || lower.contains(name.equals("cpu") ? "cpu" : LIMITS.get(name))) {
        return Optional.of(
            new InvalidSpecException(
                name
                    + " limit \""
                    + value
                    + "\" ("
                    + LIMITS.get(name)
                    + ") refused: "
                    + message
                    + "; give it in Incus's notation, such as "
                    + EXAMPLES.get(name),
                failure));
      }
    }
    return Optional.empty();
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

  /**
   * The target's {@link #deviceName}, or, when that is taken by another target ({@code /a-b} and
   * {@code /a/b}) or cut short, that name cut further and ended by a hash of the whole target.
   */
  static String uniqueDeviceName(String target, Set<String> taken) {
    String name = deviceName(target);
    String trimmed = target.replaceAll("^/+|/+$", "");
    if (taken.contains(name) || trimmed.length() > 60) {
      String hash = Integer.toHexString(target.hashCode() & 0x7fffffff);
      String base = name.substring(0, Math.min(name.length(), 50)) + "-" + hash;
      name = base;
      for (int n = 2; taken.contains(name); n++) {
        name = base + "-" + n;
      }
    }
    taken.add(name);
    return name;
  }

  /** A device name derived from the mount target: {@code /workspace} is {@code workspace}. */
  static String deviceName(String target) {
    String trimmed = target.replaceAll("^/+|/+$", "");
    String name = trimmed.isEmpty() ? "root-mount" : trimmed.replaceAll("[^A-Za-z0-9_.-]", "-");
    return name.length() > 60 ? name.substring(0, 60) : name;
  }

  static ExecRequest exec(ExecSpec exec) {
    ExecRequest.Builder request =
        ExecRequest.builder()
            .command(exec.command())
            .user(exec.uid())
            .group(exec.gid())
            .cwd(exec.cwd())
            .environment(exec.environment());
    exec.terminal().ifPresent(t -> request.interactive(true).width(t.columns()).height(t.rows()));
    return request.build();
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
