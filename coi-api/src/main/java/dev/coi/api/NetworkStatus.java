package dev.coi.api;

import dev.coi.api.value.ValueStyle;
import java.util.List;
import org.immutables.value.Value;

/**
 * A live session's network, as {@link SessionInfo#network()} reports it: the mode it asked for, the
 * mode it got (where the backend's containers have no network interface, every mode is {@code
 * none}: see {@link NetworkSupport#effective}), and, for an {@code allowlist} that filters, the
 * addresses its filter lets through now (the allowlist's names are resolved again as their answers
 * change, so this changes too).
 *
 * <pre>{@code
 * Sessions.find(id).flatMap(SessionInfo::network).ifPresent(n ->
 *     System.out.println(n.effective().configName() + " " + n.addresses()));
 * }</pre>
 */
@Value.Immutable
@ValueStyle
public abstract class NetworkStatus {
  NetworkStatus() {}

  /** The mode the session asked for ({@code --network}, {@code network.mode}). */
  public abstract NetworkMode requested();

  /** The mode its container got when it was made. */
  public abstract NetworkMode effective();

  /**
   * For an effective {@code allowlist}: the address blocks ({@code 203.0.113.7/32}, {@code
   * 2001:db8::/64}) or ranges ({@code 10.0.0.1-10.0.0.9}) it lets through now, as the backend holds
   * them; empty otherwise.
   */
  public abstract List<String> addresses();

  public static NetworkStatus of(NetworkMode requested, NetworkMode effective) {
    return builder().requested(requested).effective(effective).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link NetworkStatus}; for engines. */
  public static class Builder extends ImmutableNetworkStatus.Builder {
    Builder() {}
  }
}
