package dev.coi.incus.backend;

import dev.coi.api.IpPrefix;
import dev.coi.incus.NetworkAcl;
import dev.coi.incus.NetworkAclRule;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What Incus does with one outgoing packet under an ACL, modelled from its documentation and not
 * from coi's code: of the enabled rules that match, {@code drop} wins over {@code reject}, which
 * wins over {@code allow}; the NIC's default action when none matches. Subjects are parsed here on
 * their own (CIDR blocks and {@code first-last} ranges), so a mistake in coi's set arithmetic
 * cannot hide in the check.
 */
final class AclEvaluator {
  private AclEvaluator() {}

  static String egress(
      NetworkAcl acl, String defaultAction, byte[] address, String protocol, int port) {
    boolean drop = false;
    boolean reject = false;
    boolean allow = false;
    for (NetworkAclRule rule : acl.egress()) {
      if (rule.state().equals("disabled") || !matches(rule, address, protocol, port)) {
        continue;
      }
      switch (rule.action()) {
        case "drop" -> drop = true;
        case "reject" -> reject = true;
        case "allow", "allow-stateless" -> allow = true;
        default -> throw new AssertionError("unknown action " + rule.action());
      }
    }
    return drop ? "drop" : reject ? "reject" : allow ? "allow" : defaultAction;
  }

  /** How many distinct actions match: more than one would make the outcome hang on the ranking. */
  static long actionsMatching(NetworkAcl acl, byte[] address, String protocol, int port) {
    return acl.egress().stream()
        .filter(rule -> matches(rule, address, protocol, port))
        .map(NetworkAclRule::action)
        .distinct()
        .count();
  }

  static boolean matches(NetworkAclRule rule, byte[] address, String protocol, int port) {
    if (rule.protocol().isPresent() && !rule.protocol().get().equals(protocol)) {
      return false;
    }
    if (rule.destinationPort().isPresent() && !portIn(rule.destinationPort().get(), port)) {
      return false;
    }
    return rule.destination().map(d -> addressIn(d, address)).orElse(true);
  }

  private static boolean portIn(String ports, int port) {
    for (String part : ports.split(",")) {
      String[] range = part.split("-");
      int from = Integer.parseInt(range[0]);
      int to = Integer.parseInt(range[range.length - 1]);
      if (port >= from && port <= to) {
        return true;
      }
    }
    return false;
  }

  private record Span(boolean v4, BigInteger first, BigInteger last) {}

  private static final Map<String, Span> PARSED = new ConcurrentHashMap<>();

  private static boolean addressIn(String subjects, byte[] address) {
    BigInteger n = new BigInteger(1, address);
    for (String subject : subjects.split(",")) {
      Span span = PARSED.computeIfAbsent(subject, AclEvaluator::span);
      if (span.v4() == (address.length == 4)
          && n.compareTo(span.first()) >= 0
          && n.compareTo(span.last()) <= 0) {
        return true;
      }
    }
    return false;
  }

  static Span span(String subject) {
    if (!subject.contains("-")) {
      IpPrefix block = IpPrefix.parse(subject);
      return new Span(block.isIpv4(), block.first(), block.last());
    }
    String[] ends = subject.split("-");
    IpPrefix from = IpPrefix.parse(ends[0]);
    return new Span(from.isIpv4(), from.first(), IpPrefix.parse(ends[1]).first());
  }

  /** True when the address is in one of the blocks (CIDR or range). */
  static boolean inAny(List<String> blocks, byte[] address) {
    return !blocks.isEmpty() && addressIn(String.join(",", blocks), address);
  }
}
