package dev.coi.incus.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.IpPrefix;
import dev.coi.api.NetworkMode;
import dev.coi.api.NetworkPolicy;
import dev.coi.incus.NetworkAcl;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * The host's DNS with TTLs, against a DNS server on 127.0.0.1 that this test runs and that serves
 * the TTLs it chooses; and the next refresh that follows from them.
 */
class HostDnsTest {
  private static final String DOMAIN = "api.example.test";
  private static final String OTHER = "cdn.example.test";
  private static final NetworkPolicy POLICY =
      NetworkPolicy.builder()
          .mode(NetworkMode.ALLOWLIST)
          .addAllowDomains(DOMAIN, OTHER)
          .addAllowCidrs("192.0.2.0/24")
          .build();

  private TinyDnsServer dns;
  private HostDns resolver;
  private final AllowlistRefreshTest.FakeAcls acls = new AllowlistRefreshTest.FakeAcls();

  @BeforeEach
  void startTheServer() throws Exception {
    dns = new TinyDnsServer();
    resolver = HostDns.of(dns.address(), Duration.ofMillis(500));
  }

  @AfterEach
  void stopTheServer() throws Exception {
    dns.close();
  }

  private static ARecord a(String name, long ttl, String address) throws UnknownHostException {
    return new ARecord(TinyDnsServer.name(name), DClass.IN, ttl, InetAddress.getByName(address));
  }

  private static AAAARecord aaaa(String name, long ttl, String address)
      throws UnknownHostException {
    return new AAAARecord(TinyDnsServer.name(name), DClass.IN, ttl, InetAddress.getByName(address));
  }

  /** Both names answer A and AAAA with these TTLs (seconds). */
  private void serve(long domainA, long domainAaaa, long otherA) throws UnknownHostException {
    dns.answer(DOMAIN + ".", Type.A, TinyDnsServer.Reply.of(a(DOMAIN, domainA, "192.0.2.10")));
    dns.answer(
        DOMAIN + ".", Type.AAAA, TinyDnsServer.Reply.of(aaaa(DOMAIN, domainAaaa, "3fff::10")));
    dns.answer(OTHER + ".", Type.A, TinyDnsServer.Reply.of(a(OTHER, otherA, "192.0.2.20")));
    dns.answer(OTHER + ".", Type.AAAA, TinyDnsServer.Reply.of());
  }

  private AllowlistRefresh refresh() {
    NetworkAcl first = EgressRules.acl("coi-s1", Map.of(), POLICY, List.of(), List.of());
    acls.stored = first;
    return new AllowlistRefresh(
        first, POLICY, List.of(), resolver, acls, new AllowlistRefreshTest.MovableClock());
  }

  @Test
  void anAnswerHasBothFamiliesAndItsShortestTtl() throws Exception {
    serve(300, 120, 600);
    AllowlistRefresh.Answer answer = resolver.resolve(DOMAIN);
    assertEquals(
        List.of(IpPrefix.parse("192.0.2.10"), IpPrefix.parse("3fff::10")), answer.addresses());
    assertEquals(Duration.ofSeconds(120), answer.ttl());
    assertEquals(Duration.ofSeconds(600), resolver.resolve(OTHER).ttl(), "A only: its own TTL");
  }

  @Test
  void aCnameOnTheWayCountsWithItsTtl() throws Exception {
    CNAMERecord alias =
        new CNAMERecord(
            TinyDnsServer.name(DOMAIN), DClass.IN, 90, TinyDnsServer.name("edge.example.test"));
    dns.answer(
        DOMAIN + ".",
        Type.A,
        TinyDnsServer.Reply.of(alias, a("edge.example.test", 600, "192.0.2.30")));
    dns.answer(DOMAIN + ".", Type.AAAA, TinyDnsServer.Reply.of(alias));
    AllowlistRefresh.Answer answer = resolver.resolve(DOMAIN);
    assertEquals(List.of(IpPrefix.parse("192.0.2.30")), answer.addresses());
    assertEquals(Duration.ofSeconds(90), answer.ttl());
  }

  /** The next refresh comes after the shortest TTL of all the names, within 60 s and 30 min. */
  @Test
  void theNextRefreshFollowsTheShortestTtlClampedBothWays() throws Exception {
    AllowlistRefresh refresh = refresh();
    serve(300, 240, 180);
    assertEquals(Duration.ofSeconds(180), refresh.refresh(), "the other name's A is shortest");
    serve(300, 120, 600);
    assertEquals(Duration.ofSeconds(120), refresh.refresh(), "the AAAA is shortest");
    serve(5, 3600, 3600);
    assertEquals(Duration.ofSeconds(60), refresh.refresh(), "5 s: clamped up to a minute");
    serve(0, 0, 0);
    assertEquals(Duration.ofSeconds(60), refresh.refresh(), "0 s: clamped up to a minute");
    serve(7200, 86400, 2147483647L);
    assertEquals(Duration.ofMinutes(30), refresh.refresh(), "hours: clamped down to 30 min");

    serve(45, 900, 900);
    AllowlistRefresh fresh = refresh();
    assertEquals(
        Duration.ofSeconds(60),
        fresh.seedAnswers(Map.of(DOMAIN, resolver.resolve(DOMAIN), OTHER, resolver.resolve(OTHER))),
        "the first refresh after create follows the create's own answers, clamped");
    serve(900, 700, 1000);
    assertEquals(
        Duration.ofSeconds(700),
        refresh().seedAnswers(Map.of(DOMAIN, resolver.resolve(DOMAIN))),
        "within the bounds: the TTL itself");
  }

  /**
   * A name that fails (NXDOMAIN, SERVFAIL, REFUSED, no answer in time) resolves to nothing, with
   * the reason, as the JDK's lookup did: the refresh stops the container and writes nothing.
   */
  @ParameterizedTest
  @ValueSource(strings = {"NXDOMAIN", "SERVFAIL", "REFUSED", "timeout"})
  void aFailedLookupStopsTheContainerAndChangesNothing(String failure) throws Exception {
    AllowlistRefresh refresh = refresh();
    serve(300, 300, 300);
    refresh.refresh();
    int writes = acls.writes.size();
    int hosts = acls.hosts.size();
    TinyDnsServer.Reply reply =
        failure.equals("timeout")
            ? TinyDnsServer.Reply.silence()
            : TinyDnsServer.Reply.error(Rcode.value(failure));
    dns.answer(OTHER + ".", Type.A, reply);
    dns.answer(OTHER + ".", Type.AAAA, reply);

    AllowlistRefresh.Answer answer = resolver.resolve(OTHER);
    assertEquals(List.of(), answer.addresses());
    assertTrue(
        answer.failure().contains(failure.equals("timeout") ? "no answer" : failure),
        answer.failure());

    IllegalStateException stopped = assertThrows(IllegalStateException.class, refresh::refresh);
    assertTrue(
        stopped.getMessage().startsWith(OTHER + " no longer resolves on this host ("),
        stopped.getMessage());
    assertEquals(stopped, acls.stoppedFor, "fail closed: the container is stopped");
    assertEquals(writes, acls.writes.size(), "the ACL is not touched");
    assertEquals(hosts, acls.hosts.size(), "nor /etc/hosts");
  }

  @Test
  void aNameWithNoAddressRecordFails() throws Exception {
    dns.answer(DOMAIN + ".", Type.A, TinyDnsServer.Reply.of());
    dns.answer(DOMAIN + ".", Type.AAAA, TinyDnsServer.Reply.of());
    AllowlistRefresh.Answer answer = resolver.resolve(DOMAIN);
    assertEquals(List.of(), answer.addresses());
    assertEquals("no A or AAAA record", answer.failure());
  }
}
