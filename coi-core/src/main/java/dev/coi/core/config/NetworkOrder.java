package dev.coi.core.config;

import dev.coi.api.CoiException;
import dev.coi.api.IpPrefix;
import dev.coi.api.NetworkMode;
import dev.coi.api.NetworkPolicy;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The {@code [network]} keys: their values' rules, and whether a workspace's value only narrows
 * what the user's own layers give. Modes narrow from {@code open} through {@code restricted} and
 * {@code allowlist} to {@code none}; a list narrows when each of its entries lies within the user's
 * (an address block within one of theirs, a port range within one of theirs). Domains and ports
 * matter only in {@code allowlist}: under a wider user mode any are narrower than that mode, since
 * an allowlist reaches nothing {@code restricted} refuses.
 */
final class NetworkOrder {
  static final Set<Key> KEYS =
      EnumSet.of(
          Key.NETWORK_MODE, Key.NETWORK_ALLOW_CIDRS, Key.NETWORK_ALLOW_DOMAINS, Key.NETWORK_PORTS);

  private NetworkOrder() {}

  /**
   * Refuses a value that is not a mode, an address block, a host name or a port, as fits the key.
   */
  static void check(Key key, Object value) {
    try {
      NetworkPolicy.Builder policy = NetworkPolicy.builder();
      switch (key) {
        case NETWORK_MODE -> NetworkMode.parse((String) value);
        case NETWORK_ALLOW_CIDRS -> policy.allowCidrs(strings(value)).build();
        case NETWORK_ALLOW_DOMAINS -> policy.allowDomains(strings(value)).build();
        case NETWORK_PORTS -> policy.ports(strings(value)).build();
        default -> throw new IllegalArgumentException(key.dotted());
      }
    } catch (CoiException e) {
      throw new ValueProblem("is invalid: " + e.getMessage());
    }
  }

  /** Why the workspace's value widens what {@code trusted} gives; empty when it narrows. */
  static Optional<String> narrowing(Key key, Object value, Map<Key, Setting> trusted) {
    NetworkMode userMode = NetworkMode.parse((String) valueOf(trusted, Key.NETWORK_MODE));
    switch (key) {
      case NETWORK_MODE -> {
        NetworkMode asked = NetworkMode.parse((String) value);
        return asked.atMost(userMode)
            ? Optional.empty()
            : Optional.of(
                "mode "
                    + asked.configName()
                    + " is wider than "
                    + userMode.configName()
                    + " ("
                    + origin(trusted, Key.NETWORK_MODE)
                    + ")");
      }
      case NETWORK_ALLOW_CIDRS -> {
        List<IpPrefix> mine = strings(valueOf(trusted, key)).stream().map(IpPrefix::parse).toList();
        return firstOutside(
            key,
            value,
            trusted,
            entry -> {
              IpPrefix block = IpPrefix.parse(entry);
              return mine.stream().anyMatch(m -> within(block, m));
            });
      }
      case NETWORK_ALLOW_DOMAINS -> {
        if (userMode != NetworkMode.ALLOWLIST) {
          return Optional.empty();
        }
        List<String> mine = strings(valueOf(trusted, key));
        return firstOutside(key, value, trusted, mine::contains);
      }
      case NETWORK_PORTS -> {
        if (userMode != NetworkMode.ALLOWLIST) {
          return Optional.empty();
        }
        List<String> mine = strings(valueOf(trusted, key));
        return firstOutside(
            key,
            value,
            trusted,
            entry -> {
              int[] range = NetworkPolicy.portRange(entry);
              return mine.stream()
                  .map(NetworkPolicy::portRange)
                  .anyMatch(m -> m[0] <= range[0] && range[1] <= m[1]);
            });
      }
      default -> throw new IllegalArgumentException(key.dotted());
    }
  }

  /** The first entry of the workspace's list that lies outside the user's, as a refusal. */
  private static Optional<String> firstOutside(
      Key key, Object value, Map<Key, Setting> trusted, Predicate<String> inside) {
    return strings(value).stream()
        .filter(inside.negate())
        .findFirst()
        .map(entry -> notListed(entry, key, trusted));
  }

  private static boolean within(IpPrefix inner, IpPrefix outer) {
    return inner.isIpv4() == outer.isIpv4()
        && inner.first().compareTo(outer.first()) >= 0
        && inner.last().compareTo(outer.last()) <= 0;
  }

  private static String notListed(String entry, Key key, Map<Key, Setting> trusted) {
    return ValueType.quote(entry)
        + " is not within "
        + key.dotted()
        + " = "
        + key.type().render(valueOf(trusted, key))
        + " ("
        + origin(trusted, key)
        + ")";
  }

  private static Object valueOf(Map<Key, Setting> trusted, Key key) {
    Setting setting = trusted.get(key);
    return setting == null ? key.defaultValue() : setting.value();
  }

  private static String origin(Map<Key, Setting> trusted, Key key) {
    Setting setting = trusted.get(key);
    return setting == null ? "built-in default" : setting.origin();
  }

  private static List<String> strings(Object value) {
    return ((List<?>) value).stream().map(String::valueOf).toList();
  }
}
