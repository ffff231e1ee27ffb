package dev.coi.incus.backend;

import dev.coi.api.spi.IpPrefix;
import dev.coi.incus.NetworkAcl;
import dev.coi.incus.NetworkAclRule;
import java.math.BigInteger;

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

  private static boolean addressIn(String subjects, byte[] address) {
    BigInteger n = new BigInteger(1, address);
    for (String subject : subjects.split(",")) {
      BigInteger first;
      BigInteger last;
      boolean v4;
      if (subject.contains("/")) {
        IpPrefix block = IpPrefix.parse(subject);
        first = block.first();
        last = block.last();
        v4 = block.isIpv4();
      } else {
        String[] ends = subject.split("-");
        IpPrefix from = IpPrefix.parse(ends[0]);
        first = from.first();
        last = IpPrefix.parse(ends[1]).first();
        v4 = from.isIpv4();
      }
      if (v4 == (address.length == 4) && n.compareTo(first) >= 0 && n.compareTo(last) <= 0) {
        return true;
      }
    }
    return false;
  }
}
