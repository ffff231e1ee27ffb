package dev.coi.core.internal;

import dev.coi.api.CoiException;
import dev.coi.api.NetworkMode;
import dev.coi.api.NetworkStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Every label coi keeps on the containers it makes (the backend stores them as {@code
 * user.coi.<key>}): the one vocabulary the engine writes and reads, here and nowhere else. Labels
 * outlive the coi that wrote them, on live containers, so a key is never renamed in place: a new
 * meaning gets a new key and {@link #VERSION} a new number, and the readers here keep reading what
 * older versions wrote. Containers made before the version label existed carry none; they use the
 * same keys as version 1 and are read as such.
 */
enum ContainerLabel {
  /** The vocabulary's version; see {@link #CURRENT_VERSION}. */
  VERSION("version"),
  /** The session's id (a UUID). */
  SESSION("session"),
  /** The workspace's real path on the host. */
  WORKSPACE("workspace"),
  SLOT("slot"),
  /** {@link #PERSISTENT} or {@link #EPHEMERAL}. */
  MODE("mode"),
  /** The host user who started the session, for people reading {@code incus list}. */
  USER("user"),
  /** When the session started, as an ISO-8601 instant. */
  CREATED("created"),
  /** The host's live state directory of the session. */
  STATE("state"),
  /** The owner: the machine, pid and start time of the program that holds the container. */
  HOST("host"),
  PID("pid"),
  PID_STARTED("pid-started"),
  /** The id of the saved session this one was resumed from. */
  RESUMED_FROM("resumed-from"),
  /** On a build container (never a session's): the name of the image it builds. */
  BUILD("build"),
  /** The network mode the session asked for ({@code NetworkMode.configName()}). */
  NETWORK("network"),
  /** The network mode its container got when it was made (none where there is no interface). */
  NETWORK_EFFECTIVE("network-effective");

  /** The version coi writes today. */
  static final int CURRENT_VERSION = 1;

  static final String PERSISTENT = "persistent";
  static final String EPHEMERAL = "ephemeral";

  /** The caller's own labels ({@code SessionSpec.labels()}) are kept under this prefix. */
  private static final String CALLER_PREFIX = "label.";

  private final String key;

  ContainerLabel(String key) {
    this.key = key;
  }

  /** The key as the backend stores it, without {@code user.coi.}. */
  String key() {
    return key;
  }

  /** This label's value on a container with these labels; empty when it has none. */
  Optional<String> in(Map<String, String> labels) {
    return Optional.ofNullable(labels.get(key));
  }

  boolean isOn(Map<String, String> labels) {
    return labels.containsKey(key);
  }

  /** This label alone, to merge into a container's labels. */
  Map<String, String> of(String value) {
    return Map.of(key, value);
  }

  /** The vocabulary version of a container's labels; 1 for those made before it was written. */
  static int version(Map<String, String> labels) {
    try {
      return VERSION.in(labels).map(Integer::parseInt).orElse(1);
    } catch (NumberFormatException unreadable) {
      return 0;
    }
  }

  static boolean isPersistent(Map<String, String> labels) {
    return MODE.in(labels).filter(PERSISTENT::equals).isPresent();
  }

  static boolean isEphemeral(Map<String, String> labels) {
    return MODE.in(labels).filter(EPHEMERAL::equals).isPresent();
  }

  /** The network labels of a new session's container. */
  static Map<String, String> ofNetwork(NetworkMode requested, NetworkMode effective) {
    return Map.of(
        NETWORK.key, requested.configName(), NETWORK_EFFECTIVE.key, effective.configName());
  }

  /**
   * The network a container's labels record; empty when they record none, or none coi can read
   * (labels are read as untrusted text).
   */
  static Optional<NetworkStatus> network(Map<String, String> labels) {
    try {
      Optional<NetworkMode> requested = NETWORK.in(labels).map(NetworkMode::parse);
      if (requested.isEmpty()) {
        return Optional.empty();
      }
      NetworkMode effective =
          NETWORK_EFFECTIVE.in(labels).map(NetworkMode::parse).orElse(requested.get());
      return Optional.of(NetworkStatus.of(requested.get(), effective));
    } catch (CoiException unreadable) {
      return Optional.empty();
    }
  }

  /** The caller's labels, without the prefix they are stored under. */
  static Map<String, String> callerLabels(Map<String, String> labels) {
    Map<String, String> caller = new LinkedHashMap<>();
    labels.forEach(
        (k, v) -> {
          if (k.startsWith(CALLER_PREFIX)) {
            caller.put(k.substring(CALLER_PREFIX.length()), v);
          }
        });
    return caller;
  }

  /** The labels of a container made for a new session (the slot is added once one is chosen). */
  static Map<String, String> ofNewSession(
      String id,
      Path workspace,
      boolean persistent,
      Instant created,
      Path liveState,
      Optional<String> resumedFrom,
      Map<String, String> callerLabels) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(VERSION.key, Integer.toString(CURRENT_VERSION));
    labels.put(SESSION.key, id);
    labels.put(WORKSPACE.key, workspace.toString());
    labels.put(MODE.key, persistent ? PERSISTENT : EPHEMERAL);
    labels.put(USER.key, System.getProperty("user.name", "unknown"));
    labels.put(CREATED.key, created.toString());
    labels.put(STATE.key, liveState.toString());
    labels.putAll(Owners.ofThisProcess());
    resumedFrom.ifPresent(r -> labels.put(RESUMED_FROM.key, r));
    callerLabels.forEach((k, v) -> labels.put(CALLER_PREFIX + k, v));
    return labels;
  }

  /**
   * The labels of a container that builds the image {@code image}: no session label, so that no
   * session listing or sweep takes it for a session; the owner, so that a later build can tell a
   * killed build's leftover from a running one.
   */
  static Map<String, String> ofBuild(String image, Instant created) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(VERSION.key, Integer.toString(CURRENT_VERSION));
    labels.put(BUILD.key, image);
    labels.put(USER.key, System.getProperty("user.name", "unknown"));
    labels.put(CREATED.key, created.toString());
    labels.putAll(Owners.ofThisProcess());
    return labels;
  }
}
