package dev.coi.incus.backend;

import dev.coi.api.IpPrefix;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The {@code /etc/hosts} of an {@code allowlist} session: each listed name with the addresses its
 * last answer gave and the ACL lets through, so that the container resolves every listed name to an
 * address it can reach, and to no other, whatever DNS answers it. An address the ACL refuses (one
 * inside a blocked range, not listed explicitly) is left out, as is a name with no address left.
 * coi writes the whole file (through the file API, as root, mode 0644) and never reads it: the
 * agent may change it, and the next refresh writes it again.
 */
final class PinnedHosts {
  static final String PATH = "/etc/hosts";
  static final int MODE = 0644;

  private PinnedHosts() {}

  /**
   * The file's text.
   *
   * @param hostname the container's own name, kept resolvable as images expect
   * @param answers each listed name and the addresses it resolved to last, in the policy's order
   * @param allowed what the ACL allows
   */
  static String render(String hostname, Map<String, List<IpPrefix>> answers, AddressSet allowed) {
    StringBuilder out = new StringBuilder();
    out.append("# Written by coi for network mode allowlist; rewritten on every refresh.\n")
        .append("127.0.0.1\tlocalhost\n")
        .append("::1\tlocalhost ip6-localhost ip6-loopback\n")
        .append("127.0.1.1\t")
        .append(hostname)
        .append('\n');
    answers.forEach(
        (name, addresses) -> {
          for (IpPrefix address : addresses) {
            if (allowed.contains(address.address())) {
              out.append(IpPrefix.format(address.address())).append('\t').append(name).append('\n');
            }
          }
        });
    return out.toString();
  }

  static byte[] bytes(String hosts) {
    return hosts.getBytes(StandardCharsets.US_ASCII);
  }
}
