package dev.coi.incus.backend;

import dev.coi.api.IpPrefix;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * An allowlist's names resolved on the host with their TTL, which the JDK's {@code InetAddress}
 * does not give: A and AAAA asked of the servers of the host's resolver configuration ({@code
 * /etc/resolv.conf}, read again for every refresh), through dnsjava. The answer's TTL is the
 * shortest of its records (the CNAMEs on the way included). Anything but a NOERROR answer with an
 * address (NXDOMAIN, SERVFAIL, no answer in time, no A or AAAA record) is a failed resolution,
 * which the allowlist treats as it always has: refused at create, the container stopped during a
 * refresh. The one class that touches dnsjava: a session that is not an allowlist of names never
 * loads it, nor any of the library.
 */
final class HostDns implements AllowlistRefresh.Resolver {
  /** How long one server has to answer one query, before the next try. */
  static final Duration TIMEOUT = Duration.ofSeconds(3);

  private final Resolver servers;

  HostDns(Resolver servers) {
    this.servers = servers;
  }

  /** The host's servers, as its resolver configuration names them now. */
  static HostDns ofHost() {
    ResolverConfig.refresh();
    ExtendedResolver servers = new ExtendedResolver();
    servers.setTimeout(TIMEOUT);
    return new HostDns(servers);
  }

  /** One server (a test's, on loopback), asked once per query within {@code timeout}. */
  static HostDns of(InetSocketAddress server, Duration timeout) {
    SimpleResolver one = new SimpleResolver(server);
    one.setTimeout(timeout);
    return new HostDns(one);
  }

  @Override
  public AllowlistRefresh.Answer resolve(String domain) {
    Name name;
    try {
      name = Name.fromString(domain, Name.root);
    } catch (TextParseException notAName) {
      return AllowlistRefresh.Answer.failed(notAName.getMessage());
    }
    List<IpPrefix> addresses = new ArrayList<>();
    long ttl = Long.MAX_VALUE;
    for (int type : new int[] {Type.A, Type.AAAA}) {
      Message response;
      try {
        response =
            servers.send(Message.newQuery(org.xbill.DNS.Record.newRecord(name, type, DClass.IN)));
      } catch (IOException noAnswer) {
        return AllowlistRefresh.Answer.failed(
            "no answer to " + Type.string(type) + " from the host's DNS: " + noAnswer.getMessage());
      }
      if (response.getRcode() != Rcode.NOERROR) {
        return AllowlistRefresh.Answer.failed(Rcode.string(response.getRcode()));
      }
      for (org.xbill.DNS.Record record : response.getSection(Section.ANSWER)) {
        if (record instanceof ARecord a) {
          addresses.add(IpPrefix.of(a.getAddress().getAddress(), 32));
        } else if (record instanceof AAAARecord aaaa) {
          addresses.add(IpPrefix.of(aaaa.getAddress().getAddress(), 128));
        } else if (!(record instanceof CNAMERecord)) {
          continue;
        }
        ttl = Math.min(ttl, record.getTTL());
      }
    }
    if (addresses.isEmpty()) {
      return AllowlistRefresh.Answer.failed("no A or AAAA record");
    }
    return new AllowlistRefresh.Answer(addresses, Duration.ofSeconds(ttl));
  }
}
