package dev.coi.api;

import dev.coi.api.value.ValueStyle;
import java.util.List;
import java.util.Locale;
import org.immutables.value.Value;

/**
 * A session's network: the {@link NetworkMode} and, for {@code restricted} and {@code allowlist},
 * what is let through. Configuration gives it as {@code network.mode}, {@code network.allow_cidrs},
 * {@code network.allow_domains} and {@code network.ports}. A spec's policy sets the mode, and each
 * of its lists that is not empty replaces the configured one.
 *
 * <pre>{@code
 * NetworkPolicy policy =
 *     NetworkPolicy.builder()
 *         .mode(NetworkMode.ALLOWLIST)
 *         .addAllowDomains("api.anthropic.com")
 *         .addAllowCidrs("203.0.113.0/24")
 *         .build();
 * Sessions.builder().workspace(ws).network(policy).start();
 * }</pre>
 */
@Value.Immutable
@ValueStyle
public abstract class NetworkPolicy {
  /** The TCP ports of {@code allowlist} when none are given. */
  public static final List<String> DEFAULT_PORTS = List.of("80", "443");

  NetworkPolicy() {}

  /** The mode; {@link NetworkMode#RESTRICTED} unless set. */
  @Value.Default
  public NetworkMode mode() {
    return NetworkMode.RESTRICTED;
  }

  /**
   * Address blocks let through: in {@code restricted}, exceptions carved out of the blocked ranges
   * (a local registry, say); in {@code allowlist}, blocks reachable on {@link #ports()}.
   */
  public abstract List<String> allowCidrs();

  /**
   * Host names reachable in {@code allowlist} on {@link #ports()}: resolved on the host (A and
   * AAAA), never to an address in the blocked ranges unless {@link #allowCidrs()} lists it.
   */
  public abstract List<String> allowDomains();

  /** TCP ports ({@code "443"}) or ranges ({@code "8000-8100"}) of {@code allowlist}; 80 and 443. */
  public abstract List<String> ports();

  /** {@link #ports()}, or {@link #DEFAULT_PORTS} when none are given. */
  public List<String> effectivePorts() {
    return ports().isEmpty() ? DEFAULT_PORTS : ports();
  }

  /** The policy of a mode with nothing listed. */
  public static NetworkPolicy of(NetworkMode mode) {
    return builder().mode(mode).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Value.Check
  void check() {
    allowCidrs().forEach(IpPrefix::parse);
    for (String domain : allowDomains()) {
      String lower = domain.toLowerCase(Locale.ROOT);
      if (lower.length() > 253
          || !lower.matches(
              "([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]")) {
        throw new InvalidSpecException(
            "'"
                + domain
                + "' is not a host name: write it as api.example.com, without a scheme,"
                + " port, path or wildcard");
      }
    }
    for (String port : ports()) {
      portRange(port);
    }
  }

  /**
   * The first and last port of {@code "443"} or {@code "8000-8100"}.
   *
   * @throws InvalidSpecException when it is neither, or outside 1 to 65535
   */
  public static int[] portRange(String text) {
    String[] parts = text.trim().split("-", -1);
    if (parts.length <= 2
        && parts[0].matches("\\d{1,5}")
        && parts[parts.length - 1].matches("\\d{1,5}")) {
      int from = Integer.parseInt(parts[0]);
      int to = Integer.parseInt(parts[parts.length - 1]);
      if (from >= 1 && to <= 65535 && from <= to) {
        return new int[] {from, to};
      }
    }
    throw new InvalidSpecException(
        "port '" + text + "' is not a port or range from 1 to 65535: write 443 or 8000-8100");
  }

  /** Builds a {@link NetworkPolicy}. */
  public static class Builder extends ImmutableNetworkPolicy.Builder {
    Builder() {}
  }
}
