package dev.coi.api;

import dev.coi.api.value.ValueStyle;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * Which {@link NetworkMode}s a backend can honour, and why: what {@code coi doctor} prints and what
 * a session start checks before it creates anything. A mode that cannot be honoured is refused,
 * never quietly widened to {@code open}.
 *
 * <pre>{@code
 * NetworkSupport support = Sessions.networkSupport();
 * if (!support.supports(NetworkMode.RESTRICTED)) System.err.println(support.reason());
 * }</pre>
 */
@Value.Immutable
@ValueStyle
public abstract class NetworkSupport {
  NetworkSupport() {}

  /**
   * The network interface containers get, described for people ({@code "eth0 on incusbr0 (bridge,
   * nftables firewall, Incus 6.0.4)"}); empty when the profile gives none, and then every mode has
   * the container without network, as {@code none}.
   */
  public abstract Optional<String> nic();

  /** True when per-container address filtering ({@code restricted}, {@code allowlist}) works. */
  public abstract boolean filtering();

  /** Why filtering works or not, naming the interface, network, driver and version involved. */
  public abstract String reason();

  /** True when a session asking for {@code mode} gets at most what that mode promises. */
  public boolean supports(NetworkMode mode) {
    return mode == NetworkMode.NONE || mode == NetworkMode.OPEN || nic().isEmpty() || filtering();
  }

  /** The mode a session asking for {@code mode} gets: {@code none} when there is no interface. */
  public NetworkMode effective(NetworkMode mode) {
    return nic().isEmpty() ? NetworkMode.NONE : mode;
  }

  /**
   * The one line that refuses a mode this backend cannot honour, naming what is missing and the two
   * modes that always work.
   */
  public String refusal(NetworkMode mode) {
    return "network mode "
        + mode.configName()
        + " cannot be honoured: "
        + reason()
        + "; use --network none (no network) or --network open (the profile's network,"
        + " unfiltered), or network.mode in the configuration";
  }

  /** One line per mode, for {@code coi doctor}. */
  public String describe() {
    StringBuilder out = new StringBuilder();
    out.append("network: ")
        .append(nic().orElse("no network interface in the profile"))
        .append('\n');
    for (NetworkMode mode : NetworkMode.values()) {
      out.append("  ")
          .append(mode.configName())
          .append(": ")
          .append(
              nic().isEmpty()
                  ? "as none (nothing to filter)"
                  : supports(mode) ? "supported" : "not supported")
          .append('\n');
    }
    return out.append("  ").append(reason()).append('\n').toString();
  }

  /** A backend whose containers get no network interface at all. */
  public static NetworkSupport withoutInterface(String reason) {
    return ImmutableNetworkSupport.builder().filtering(false).reason(reason).build();
  }

  /** An interface that can carry per-container filters. */
  public static NetworkSupport filtered(String nic, String reason) {
    return ImmutableNetworkSupport.builder().nic(nic).filtering(true).reason(reason).build();
  }

  /** An interface that cannot, and why. */
  public static NetworkSupport unfiltered(String nic, String reason) {
    return ImmutableNetworkSupport.builder().nic(nic).filtering(false).reason(reason).build();
  }
}
