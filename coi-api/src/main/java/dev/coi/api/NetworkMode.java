package dev.coi.api;

import java.util.Locale;

/**
 * How far a session's container may reach over the network (docs/SECURITY.md, "Network"). From the
 * narrowest: {@link #NONE}, {@link #ALLOWLIST}, {@link #RESTRICTED}, {@link #OPEN}; an untrusted
 * workspace's own configuration may only move down this order.
 *
 * <pre>{@code
 * Sessions.builder().workspace(ws).network(NetworkPolicy.of(NetworkMode.NONE)).start();
 * }</pre>
 */
public enum NetworkMode {
  /** No network interface at all: only the loopback device. */
  NONE,
  /** Only the listed domains and address ranges, on the listed TCP ports (80 and 443). */
  ALLOWLIST,
  /**
   * Everything but private, loopback, link-local, shared (CGNAT), multicast and reserved ranges of
   * IPv4 and IPv6, and the host's and bridge's own addresses; the default.
   */
  RESTRICTED,
  /** The container's network as the Incus profile gives it, unfiltered. */
  OPEN;

  /** The mode's name as configuration and the CLI write it: {@code restricted}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** True when this mode reaches no further than {@code other}. */
  public boolean atMost(NetworkMode other) {
    return ordinal() <= other.ordinal();
  }

  /**
   * The mode of that name, ignoring case.
   *
   * @throws InvalidSpecException naming the modes when there is none of that name
   */
  public static NetworkMode parse(String name) {
    for (NetworkMode mode : values()) {
      if (mode.configName().equalsIgnoreCase(name.trim())) {
        return mode;
      }
    }
    throw new InvalidSpecException(
        "network mode '" + name + "' is unknown: use none, allowlist, restricted or open");
  }
}
