package dev.coi.incus.backend;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.CoiException;
import dev.coi.api.IpPrefix;
import dev.coi.api.NetworkMode;
import dev.coi.api.NetworkPolicy;
import dev.coi.api.spi.ContainerHold;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.incus.IncusClient;
import dev.coi.incus.LeakCheck;
import dev.coi.incus.NetworkAcl;
import dev.coi.incus.ServerInfo;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A persistent {@code allowlist} session made by one program and resumed by another, on the real
 * daemon: the second program (a new backend, with its own guard, knowing nothing of the session)
 * reads the allowlist from the session's ACL, resolves it again at once, updates the real ACL and
 * pins the real container's {@code /etc/hosts}, follows it while it holds the container, and lets
 * go (its thread ends) when the hold or the backend is closed. As in {@code PinnedHostsIT}, this
 * daemon's profile has no NIC (and no bridge may be made): the guards get the verdict of a managed
 * bridge and the container is made without its NIC. The answers are documentation addresses
 * (192.0.2.0/24, listed in {@code allow_cidrs} since it is a blocked range, and 3fff::/20, outside
 * the blocked ranges); no traffic is sent anywhere.
 */
class AllowlistResumeIT {
  private static final String DOMAIN = "api.example.test";
  private static final NetworkPolicy POLICY =
      NetworkPolicy.builder()
          .mode(NetworkMode.ALLOWLIST)
          .addAllowDomains(DOMAIN)
          .addAllowCidrs("192.0.2.0/24")
          .build();

  private static final IncusClient incus = IncusClient.local();

  @RegisterExtension static final LeakCheck leaks = new LeakCheck(() -> incus);

  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final String container = "coi-test-resume-" + run;
  private final String acl = "coi-test-" + run;
  private volatile List<String> answer = List.of("192.0.2.1", "3fff::1");
  private volatile boolean resolves = true;
  private final AtomicInteger resolutions = new AtomicInteger();
  private final List<NetworkGuard> guards = new CopyOnWriteArrayList<>();

  private AllowlistRefresh.Answer resolve(String domain) {
    resolutions.incrementAndGet();
    if (!resolves || !domain.equals(DOMAIN)) {
      return AllowlistRefresh.Answer.failed("NXDOMAIN");
    }
    return new AllowlistRefresh.Answer(
        answer.stream().map(IpPrefix::parse).toList(), AllowlistRefresh.MIN_TTL);
  }

  /** A program's guard: this test's resolver, and the verdict of a managed bridge. */
  private NetworkGuard guard(Supplier<IncusClient> client, Supplier<ServerInfo> server) {
    NetworkGuard guard = new NetworkGuard(client, server, this::resolve, Clock.systemUTC());
    guard.preflight(PinnedHostsIT.aManagedBridge(server.get()));
    guards.add(guard);
    return guard;
  }

  /** Another program: a backend of its own, with a guard of its own. */
  private IncusContainerBackend anotherProgram() {
    return new IncusContainerBackend(System.getenv(), this::guard);
  }

  @AfterAll
  static void closeTheClient() {
    incus.close();
  }

  @AfterEach
  void deleteWhatThisTestMade() {
    guards.forEach(NetworkGuard::close);
    if (incus.instances().find(container).isPresent()) {
      try {
        incus.instances().stop(container, true);
      } catch (CoiException stoppedAlready) {
        // stopped by the test
      }
      incus.instances().delete(container);
    }
    incus.networkAcls().find(acl).ifPresent(a -> incus.networkAcls().delete(a.name()));
  }

  /**
   * The first program: makes the persistent session (its ACL, its container, its pinned file), and
   * ends it as a persistent session ends: the container stopped and kept, the program gone.
   */
  private void createdAndClosedByTheFirstProgram() {
    NetworkGuard first = guard(() -> incus, incus::server);
    NetworkGuard.Prepared prepared =
        first.prepare(
            ContainerSpec.builder()
                .name(container)
                .image("coi-test-min")
                .ephemeral(false)
                .putLabels("session", "test-" + run)
                .network(POLICY)
                .build());
    assertEquals(Optional.of(acl), prepared.acl());
    incus.instances().create(LeakCheck.testInstance(container, "AllowlistResumeIT").build());
    first.started(container, prepared);
    assertTrue(hosts().contains("3fff::1\t" + DOMAIN + "\n"), hosts());
    assertEquals("allow", egress("3fff::1"));
    incus.instances().stop(container, true);
    first.close();
  }

  private String hosts() {
    return new String(incus.files().pull(container, "/etc/hosts").content(), US_ASCII);
  }

  private String egress(String address) {
    NetworkAcl now = incus.networkAcls().get(acl);
    return AclEvaluator.egress(now, "reject", IpPrefix.parse(address).address(), "tcp", 443);
  }

  private NetworkGuard secondGuard() {
    return guards.get(guards.size() - 1);
  }

  @Test
  void aKeptContainerStartedByAnotherProgramIsRefreshedAtOnceAndFollowedWhileHeld() {
    createdAndClosedByTheFirstProgram();
    answer = List.of("192.0.2.2", "3fff::2");
    String etag = incus.networkAcls().get(acl).etag().orElseThrow();

    try (IncusContainerBackend second = anotherProgram()) {
      second.start(container);

      assertEquals("allow", egress("3fff::2"), "the new answer is allowed");
      assertEquals("reject", egress("3fff::1"), "the old one is gone: the container was stopped");
      assertFalse(etag.equals(incus.networkAcls().get(acl).etag().orElseThrow()));
      String hosts = hosts();
      assertTrue(hosts.contains("192.0.2.2\t" + DOMAIN + "\n"), hosts);
      assertTrue(hosts.contains("3fff::2\t" + DOMAIN + "\n"), hosts);
      assertFalse(hosts.contains("192.0.2.1"), hosts);
      assertFalse(hosts.contains("3fff::1\t"), hosts);
      NetworkGuard guard = secondGuard();
      assertTrue(guard.follows(container), "followed while the program holds it");

      int before = resolutions.get();
      ContainerHold hold = second.hold(container);
      assertEquals(before, resolutions.get(), "started here: already followed, not resolved again");
      hold.close();
      assertFalse(guard.follows(container));
      assertFalse(guard.refreshing(), "the refresh thread ends with the last hold");
      assertEquals("Running", incus.instances().find(container).orElseThrow().status());
    }
  }

  @Test
  void aRunningSessionTakenOverByAnotherProgramIsRefreshedAtOnce() {
    createdAndClosedByTheFirstProgram();
    incus.instances().start(container); // left running by a program that is gone
    answer = List.of("192.0.2.3", "3fff::3");

    IncusContainerBackend second = anotherProgram();
    try (ContainerHold hold = second.hold(container)) {
      assertEquals("allow", egress("3fff::3"));
      assertEquals("reject", egress("3fff::1"));
      assertTrue(hosts().contains("3fff::3\t" + DOMAIN + "\n"), hosts());
      assertTrue(secondGuard().follows(container));
    }
    second.close();
    assertFalse(secondGuard().refreshing());
  }

  /** The allowlist is the one the session was made with, whatever the new program was given. */
  @Test
  void theResumedAllowlistIsTheOneRecordedInTheAcl() {
    createdAndClosedByTheFirstProgram();
    assertEquals(
        Optional.of(
            NetworkPolicy.builder().from(POLICY).ports(NetworkPolicy.DEFAULT_PORTS).build()),
        AllowlistRecord.read(incus.networkAcls().get(acl)),
        "the ports too: the default of the day the session was made");
  }

  @Test
  void aNameThatNoLongerResolvesStopsTheResumedContainer() {
    createdAndClosedByTheFirstProgram();
    resolves = false;

    try (IncusContainerBackend second = anotherProgram()) {
      CoiException refused = assertThrows(CoiException.class, () -> second.start(container));
      assertTrue(
          refused.getMessage().contains(DOMAIN + " no longer resolves on this host (NXDOMAIN)"),
          refused.getMessage());
      assertEquals("Stopped", incus.instances().find(container).orElseThrow().status());
      assertEquals("allow", egress("3fff::1"), "the ACL is left as it was: nothing widened");
      assertFalse(secondGuard().follows(container));
    }
  }
}
