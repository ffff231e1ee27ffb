package dev.coi.incus.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.ConflictException;
import dev.coi.api.IpPrefix;
import dev.coi.api.NetworkMode;
import dev.coi.api.NetworkPolicy;
import dev.coi.incus.NetworkAcl;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The allowlist's refresh, with a fake resolver, a fake ACL store and a clock the test moves. */
class AllowlistRefreshTest {
  private static final NetworkPolicy POLICY =
      NetworkPolicy.builder()
          .mode(NetworkMode.ALLOWLIST)
          .addAllowDomains("api.example.com")
          .build();

  /** A clock the test moves by hand. */
  static final class MovableClock extends Clock {
    Instant now = Instant.parse("2026-12-02T00:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /** The daemon's copy of the ACL, with an entity tag that changes on every write. */
  static final class FakeAcls implements AllowlistRefresh.Target {
    NetworkAcl stored;
    int tag;
    final List<NetworkAcl> writes = new ArrayList<>();
    RuntimeException stoppedFor;
    boolean failWrites;
    final List<String> hosts = new ArrayList<>();
    boolean failHosts;

    @Override
    public String container() {
      return "claude-ab-1";
    }

    @Override
    public NetworkAcl read() {
      return NetworkAcl.builder().from(stored).etag("t" + tag).build();
    }

    @Override
    public void write(NetworkAcl acl, Optional<String> etag) {
      if (failWrites || !etag.equals(Optional.of("t" + tag))) {
        throw new ConflictException("stale or refused");
      }
      stored = acl;
      tag++;
      writes.add(acl);
    }

    @Override
    public void writeHosts(byte[] content) {
      if (failHosts) {
        throw new dev.coi.api.BackendException(403, "/etc/hosts is not a file");
      }
      hosts.add(new String(content, java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Override
    public void stopContainer(RuntimeException why) {
      stoppedFor = why;
    }
  }

  private List<String> answer = List.of("93.184.215.14");
  private Duration ttl = Duration.ofSeconds(300);
  private final MovableClock clock = new MovableClock();
  private final FakeAcls acls = new FakeAcls();

  private AllowlistRefresh refresh() {
    NetworkAcl first =
        EgressRules.acl("coi-s1", Map.of("user.coi.version", "1"), POLICY, List.of(), ips(answer));
    acls.stored = first;
    return new AllowlistRefresh(
        first,
        POLICY,
        List.of(),
        domain -> new AllowlistRefresh.Answer(ips(answer), ttl),
        acls,
        clock);
  }

  private static List<IpPrefix> ips(List<String> addresses) {
    return addresses.stream().map(IpPrefix::parse).toList();
  }

  private static boolean allows(NetworkAcl acl, String address) {
    return AclEvaluator.egress(acl, "reject", IpPrefix.parse(address).address(), "tcp", 443)
        .equals("allow");
  }

  @Test
  void anUnchangedAnswerWritesNothing() {
    AllowlistRefresh refresh = refresh();
    assertEquals(Duration.ofSeconds(300), refresh.refresh());
    clock.now = clock.now.plusSeconds(300);
    refresh.refresh();
    assertEquals(0, acls.writes.size());
  }

  @Test
  void aRotatedAddressIsAddedAndTheOldOneKeptForTenMinutesThenDropped() {
    AllowlistRefresh refresh = refresh();
    Instant lastSeen = clock.now;
    refresh.refresh();
    answer = List.of("93.184.215.15");
    clock.now = clock.now.plusSeconds(60);
    refresh.refresh();
    assertEquals(1, acls.writes.size(), "written once, with the entity tag it read");
    assertTrue(allows(acls.stored, "93.184.215.15"));
    assertTrue(allows(acls.stored, "93.184.215.14"), "open connections survive the rotation");

    clock.now = lastSeen.plus(AllowlistRefresh.KEEP).minusSeconds(1);
    refresh.refresh();
    assertTrue(allows(acls.stored, "93.184.215.14"), "seen 9:59 ago: still kept");
    clock.now = clock.now.plusSeconds(2);
    refresh.refresh();
    assertTrue(!allows(acls.stored, "93.184.215.14"), "seen over 10 minutes ago: dropped");
    assertTrue(allows(acls.stored, "93.184.215.15"));
    assertEquals(2, acls.writes.size());
    assertEquals(Map.of("user.coi.version", "1"), acls.stored.config(), "labels kept");
  }

  @Test
  void aNameThatRebindsToAPrivateAddressGainsNothing() {
    AllowlistRefresh refresh = refresh();
    answer = List.of("169.254.169.254", "10.0.0.1");
    refresh.refresh();
    assertTrue(!allows(acls.stored, "169.254.169.254"));
    assertTrue(!allows(acls.stored, "10.0.0.1"));
  }

  @Test
  void theTtlIsClampedBetweenAMinuteAndHalfAnHour() {
    AllowlistRefresh refresh = refresh();
    ttl = Duration.ofSeconds(5);
    assertEquals(Duration.ofSeconds(60), refresh.refresh());
    ttl = Duration.ofHours(6);
    assertEquals(Duration.ofMinutes(30), refresh.refresh());
  }

  @Test
  void aFailedUpdateOrANameThatNoLongerResolvesStopsTheContainer() {
    AllowlistRefresh refresh = refresh();
    answer = List.of("93.184.215.99");
    acls.failWrites = true;
    assertThrows(ConflictException.class, refresh::refresh);
    assertTrue(acls.stoppedFor instanceof ConflictException);

    acls.stoppedFor = null;
    acls.failWrites = false;
    answer = List.of();
    assertThrows(IllegalStateException.class, refresh::refresh);
    assertTrue(acls.stoppedFor.getMessage().contains("api.example.com no longer resolves"));
  }

  /** The file written after each refresh names what the ACL allows now, and nothing else. */
  @Test
  void everyRefreshRewritesTheHostsFileWithTheCurrentAllowedAnswer() {
    AllowlistRefresh refresh = refresh();
    refresh.seed(Map.of("api.example.com", ips(answer)));
    refresh.pinHosts();
    assertTrue(acls.hosts.get(0).contains("93.184.215.14\tapi.example.com\n"), acls.hosts.get(0));

    answer = List.of("93.184.215.15", "10.0.0.1");
    clock.now = clock.now.plusSeconds(60);
    refresh.refresh();
    String after = acls.hosts.get(1);
    assertTrue(after.contains("93.184.215.15\tapi.example.com\n"), after);
    assertFalse(after.contains("93.184.215.14"), "the rotated-out address: in the ACL, not named");
    assertFalse(after.contains("10.0.0.1"), "a rebinding answer is never pinned");
    assertTrue(allows(acls.stored, "93.184.215.14"), "kept in the ACL for open connections");

    refresh.refresh();
    assertEquals(3, acls.hosts.size(), "written on every refresh, even when nothing changed");
    assertEquals(after, acls.hosts.get(2));
  }

  @Test
  void aHostsFileThatCannotBeWrittenStopsTheContainer() {
    AllowlistRefresh refresh = refresh();
    acls.failHosts = true;
    assertThrows(dev.coi.api.BackendException.class, refresh::pinHosts);
    assertTrue(acls.stoppedFor.getMessage().contains("/etc/hosts is not a file"));
    acls.stoppedFor = null;
    assertThrows(dev.coi.api.BackendException.class, refresh::refresh);
    assertTrue(acls.stoppedFor != null);
  }
}
