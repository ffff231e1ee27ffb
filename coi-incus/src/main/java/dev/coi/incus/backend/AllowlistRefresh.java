package dev.coi.incus.backend;

import dev.coi.api.IpPrefix;
import dev.coi.api.NetworkPolicy;
import dev.coi.incus.NetworkAcl;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One refresh of an {@code allowlist} session's ACL and {@code /etc/hosts}: the domains resolved
 * again, the addresses seen in the last {@link #KEEP} kept (so connections opened to an address the
 * provider has since rotated out survive), the ACL written back with its entity tag only when its
 * rules changed, and any failure stopping the container, since an ACL that cannot follow the names
 * would otherwise either break the session unnoticed or (worse) be left as it was while the names
 * moved. The container's {@code /etc/hosts} is written anew each time ({@link PinnedHosts}), so the
 * container resolves the names to the addresses the ACL allows, whatever it did to the file since.
 * Returns when to refresh next: the shortest TTL of the answers, clamped between {@link #MIN_TTL}
 * and {@link #MAX_TTL}.
 */
final class AllowlistRefresh {
  static final Duration MIN_TTL = Duration.ofSeconds(60);
  static final Duration MAX_TTL = Duration.ofMinutes(30);
  static final Duration KEEP = Duration.ofMinutes(10);

  /**
   * A name's addresses and how long they may be cached; no address when it did not resolve, and
   * then {@code failure} says why (NXDOMAIN, SERVFAIL, no answer in time), when the resolver knows.
   */
  record Answer(List<IpPrefix> addresses, Duration ttl, String failure) {
    Answer(List<IpPrefix> addresses, Duration ttl) {
      this(addresses, ttl, "");
    }

    static Answer failed(String why) {
      return new Answer(List.of(), MIN_TTL, why);
    }

    /** Why the name did not resolve, for a message: {@code " (NXDOMAIN)"} or nothing. */
    String why() {
      return failure.isEmpty() ? "" : " (" + failure + ")";
    }
  }

  /** Resolves a host name on the host; a seam for tests. */
  interface Resolver {
    Answer resolve(String domain);
  }

  /** Where the ACL lives, the container it filters, and what to do when it cannot follow. */
  interface Target {
    /** The container's name (its host name, which its {@code /etc/hosts} keeps). */
    String container();

    NetworkAcl read();

    void write(NetworkAcl acl, Optional<String> etag);

    /** Replaces the container's {@code /etc/hosts}. */
    void writeHosts(byte[] content);

    void stopContainer(RuntimeException why);
  }

  private final NetworkAcl template;
  private final NetworkPolicy policy;
  private final List<IpPrefix> own;
  private final Resolver resolver;
  private final Target target;
  private final Clock clock;
  private final Map<IpPrefix, Instant> seen = new LinkedHashMap<>();
  private final Map<String, List<IpPrefix>> answers = new LinkedHashMap<>();

  AllowlistRefresh(
      NetworkAcl template,
      NetworkPolicy policy,
      List<IpPrefix> own,
      Resolver resolver,
      Target target,
      Clock clock) {
    this.template = template;
    this.policy = policy;
    this.own = List.copyOf(own);
    this.resolver = resolver;
    this.target = target;
    this.clock = clock;
  }

  /** The addresses the last refresh let through. */
  synchronized List<IpPrefix> addresses() {
    return List.copyOf(seen.keySet());
  }

  /**
   * Takes the answers the ACL was first made from, as if a refresh had found them, and returns when
   * to refresh first: their shortest TTL, clamped.
   */
  synchronized Duration seedAnswers(Map<String, Answer> first) {
    Map<String, List<IpPrefix>> addresses = new LinkedHashMap<>();
    first.forEach((domain, answer) -> addresses.put(domain, answer.addresses()));
    seed(addresses);
    return clamp(first.values().stream().map(Answer::ttl).min(Duration::compareTo).orElse(MAX_TTL));
  }

  /** Takes the answers the ACL was first made from, as if a refresh had found them. */
  synchronized void seed(Map<String, List<IpPrefix>> first) {
    Instant now = clock.instant();
    first.forEach(
        (domain, addresses) -> {
          answers.put(domain, List.copyOf(addresses));
          addresses.forEach(address -> seen.put(address, now));
        });
  }

  /** The {@code /etc/hosts} the container should have now. */
  synchronized String hosts() {
    return PinnedHosts.render(
        target.container(), answers, EgressRules.allowlisted(policy, own, seen.keySet()));
  }

  /**
   * Writes the container's {@code /etc/hosts} from the last answers; on failure the container is
   * stopped and the failure thrown.
   */
  void pinHosts() {
    try {
      target.writeHosts(PinnedHosts.bytes(hosts()));
    } catch (RuntimeException e) {
      target.stopContainer(e);
      throw e;
    }
  }

  /**
   * Resolves, updates the ACL if needed, and returns the delay to the next refresh; on failure the
   * container is stopped and the failure thrown.
   */
  synchronized Duration refresh() {
    try {
      Instant now = clock.instant();
      Duration next = MAX_TTL;
      for (String domain : policy.allowDomains()) {
        Answer answer = resolver.resolve(domain);
        if (answer.addresses().isEmpty()) {
          throw new IllegalStateException(
              domain + " no longer resolves on this host" + answer.why());
        }
        answer.addresses().forEach(address -> seen.put(address, now));
        answers.put(domain, List.copyOf(answer.addresses()));
        next = next.compareTo(answer.ttl()) < 0 ? next : answer.ttl();
      }
      seen.values().removeIf(last -> last.plus(KEEP).isBefore(now));
      NetworkAcl wanted =
          EgressRules.acl(
              template.name(), template.config(), policy, own, new ArrayList<>(seen.keySet()));
      NetworkAcl current = target.read();
      if (!current.egress().equals(wanted.egress())) {
        target.write(
            NetworkAcl.builder().from(wanted).config(current.config()).build(), current.etag());
      }
      // After the ACL: the file never names an address the rules do not allow yet.
      target.writeHosts(PinnedHosts.bytes(hosts()));
      return clamp(next);
    } catch (RuntimeException e) {
      target.stopContainer(e);
      throw e;
    }
  }

  static Duration clamp(Duration ttl) {
    return ttl.compareTo(MIN_TTL) < 0 ? MIN_TTL : ttl.compareTo(MAX_TTL) > 0 ? MAX_TTL : ttl;
  }
}
