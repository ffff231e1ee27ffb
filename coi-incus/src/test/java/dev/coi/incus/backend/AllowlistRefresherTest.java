package dev.coi.incus.backend;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.IpPrefix;
import dev.coi.api.NetworkMode;
import dev.coi.api.NetworkPolicy;
import dev.coi.incus.Await;
import dev.coi.incus.NetworkAcl;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The refresh thread: there while a container is followed, gone once none is, or on close. */
class AllowlistRefresherTest {
  private static final NetworkPolicy POLICY =
      NetworkPolicy.builder()
          .mode(NetworkMode.ALLOWLIST)
          .addAllowDomains("api.example.test")
          .build();

  private final AtomicInteger resolved = new AtomicInteger();
  private volatile boolean fail;

  private AllowlistRefresh refresh(AllowlistRefreshTest.FakeAcls acls) {
    NetworkAcl first = EgressRules.acl("coi-s1", Map.of(), POLICY, List.of(), List.of());
    acls.stored = first;
    return new AllowlistRefresh(
        first,
        POLICY,
        List.of(),
        domain -> {
          resolved.incrementAndGet();
          return fail
              ? AllowlistRefresh.Answer.failed("SERVFAIL")
              : new AllowlistRefresh.Answer(
                  List.of(IpPrefix.parse("3fff::1")), AllowlistRefresh.MIN_TTL);
        },
        acls,
        new AllowlistRefreshTest.MovableClock());
  }

  private static boolean threadAlive() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals(AllowlistRefresher.THREAD) && t.isAlive());
  }

  @Test
  void theThreadRunsWhileAContainerIsFollowedAndEndsWithTheLast() throws Exception {
    AllowlistRefresher refresher = new AllowlistRefresher();
    refresher.follow("c1", refresh(new AllowlistRefreshTest.FakeAcls()), Duration.ZERO);
    refresher.follow("c2", refresh(new AllowlistRefreshTest.FakeAcls()), Duration.ofHours(1));
    Await.until("the first refresh runs at once", () -> resolved.get() >= 1);
    assertTrue(refresher.follows("c1") && refresher.running());

    refresher.unfollow("c1");
    assertFalse(refresher.follows("c1"));
    assertTrue(refresher.running(), "c2 is still followed");
    refresher.unfollow("c2");
    assertFalse(refresher.running());
    Await.until("the refresh thread has ended", () -> !threadAlive());
    refresher.unfollow("c2"); // twice: nothing
  }

  @Test
  void closeEndsEveryRefreshAndTheThread() throws Exception {
    AllowlistRefresher refresher = new AllowlistRefresher();
    refresher.follow("c1", refresh(new AllowlistRefreshTest.FakeAcls()), Duration.ofHours(1));
    assertTrue(threadAlive() || refresher.running());
    refresher.close();
    assertFalse(refresher.follows("c1"));
    assertFalse(refresher.running());
    Await.until("the refresh thread has ended", () -> !threadAlive());
  }

  @Test
  void aFailedRefreshStopsTheContainerAndIsNotFollowedAgain() throws Exception {
    AllowlistRefresher refresher = new AllowlistRefresher();
    AllowlistRefreshTest.FakeAcls acls = new AllowlistRefreshTest.FakeAcls();
    fail = true;
    refresher.follow("c1", refresh(acls), Duration.ZERO);
    Await.until("the container is stopped", () -> acls.stoppedFor != null);
    Await.until("no longer followed", () -> !refresher.follows("c1") && !refresher.running());
    Await.until("the refresh thread has ended", () -> !threadAlive());
  }
}
