package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.NetworkMode;
import dev.coi.api.NetworkPolicy;
import dev.coi.api.NetworkStatus;
import dev.coi.api.NetworkSupport;
import dev.coi.api.Session;
import dev.coi.api.SessionInfo;
import dev.coi.tck.FakeContainerBackend;
import dev.coi.tck.InMemorySessionStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session's network as {@link SessionInfo#network()} reports it: the mode asked for and the mode
 * the backend gives, recorded in the container's labels at create; an allowlist's addresses asked
 * of the backend, for allowlist sessions only.
 */
class SessionNetworkStatusTest {
  @TempDir Path workspace;
  @TempDir Path home;

  /** A fake backend whose containers have a filtering NIC, and whose allowlist is counted. */
  static final class FilteringBackend extends FakeContainerBackend {
    final List<String> asked = new ArrayList<>();

    FilteringBackend() {
      super("coi-sandbox");
    }

    @Override
    public NetworkSupport networkSupport() {
      return NetworkSupport.filtered("eth0 on a test network", "the test's network filters");
    }

    @Override
    public synchronized List<String> allowlist(String container) {
      asked.add(container);
      return List.of("203.0.113.7/32", "2001:db8::7/128");
    }
  }

  private Optional<NetworkStatus> networkOf(FakeContainerBackend backend, NetworkMode mode) {
    DefaultSessionEngine engine =
        TestEngines.on(backend, new InMemorySessionStore(), home, Clock.systemUTC());
    try (Session s =
        engine.start(
            dev.coi.api.Sessions.builder()
                .workspace(workspace)
                .network(NetworkPolicy.of(mode))
                .build())) {
      SessionInfo listed =
          engine.list().stream().filter(i -> i.id().equals(s.id())).findFirst().orElseThrow();
      return listed.network();
    }
  }

  @Test
  void withoutAnInterfaceTheSessionReportsTheModeAskedAndNoneGot() {
    FakeContainerBackend plain = new FakeContainerBackend("coi-sandbox");
    assertEquals(
        Optional.of(NetworkStatus.of(NetworkMode.RESTRICTED, NetworkMode.NONE)),
        networkOf(plain, NetworkMode.RESTRICTED));
    NetworkStatus allowlist = networkOf(plain, NetworkMode.ALLOWLIST).orElseThrow();
    assertEquals(NetworkMode.NONE, allowlist.effective());
    assertEquals(List.of(), allowlist.addresses());
  }

  @Test
  void aFilteredAllowlistShowsTheBackendsCurrentAddressesAndOnlyItAsksForThem() {
    FilteringBackend filtering = new FilteringBackend();
    NetworkStatus restricted = networkOf(filtering, NetworkMode.RESTRICTED).orElseThrow();
    assertEquals(NetworkMode.RESTRICTED, restricted.effective());
    assertEquals(List.of(), filtering.asked, "no allowlist: the backend is not asked");

    NetworkStatus allowlist = networkOf(filtering, NetworkMode.ALLOWLIST).orElseThrow();
    assertEquals(NetworkMode.ALLOWLIST, allowlist.requested());
    assertEquals(NetworkMode.ALLOWLIST, allowlist.effective());
    assertEquals(List.of("203.0.113.7/32", "2001:db8::7/128"), allowlist.addresses());
    assertEquals(1, filtering.asked.size());
  }

  @Test
  void theLabelsRoundTripAndUnreadableOrMissingOnesGiveNoNetwork() {
    Map<String, String> labels = ContainerLabel.ofNetwork(NetworkMode.OPEN, NetworkMode.NONE);
    assertEquals(Map.of("network", "open", "network-effective", "none"), labels);
    assertEquals(
        Optional.of(NetworkStatus.of(NetworkMode.OPEN, NetworkMode.NONE)),
        ContainerLabel.network(labels));
    assertEquals(Optional.empty(), ContainerLabel.network(Map.of()), "made before coi recorded it");
    assertEquals(Optional.empty(), ContainerLabel.network(Map.of("network", "wide-open")));
    assertEquals(
        Optional.empty(),
        ContainerLabel.network(Map.of("network", "allowlist", "network-effective", "?")));
    assertEquals(
        Optional.of(NetworkStatus.of(NetworkMode.NONE, NetworkMode.NONE)),
        ContainerLabel.network(Map.of("network", "none")),
        "no effective label: the mode asked");
    assertTrue(
        SessionCatalog.withAllowlist(new FilteringBackend(), sessionWithout()).network().isEmpty());
  }

  private SessionInfo sessionWithout() {
    return SessionInfo.builder()
        .id("x")
        .container("c")
        .workspace(workspace)
        .slot(1)
        .persistent(false)
        .state(dev.coi.api.SessionState.RUNNING)
        .created(java.time.Instant.EPOCH)
        .build();
  }
}
