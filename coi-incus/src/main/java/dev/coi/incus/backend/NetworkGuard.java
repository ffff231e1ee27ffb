package dev.coi.incus.backend;

import dev.coi.api.InvalidSpecException;
import dev.coi.api.IpPrefix;
import dev.coi.api.NetworkMode;
import dev.coi.api.NetworkPolicy;
import dev.coi.api.NetworkSupport;
import dev.coi.api.NotFoundException;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.incus.IncusClient;
import dev.coi.incus.Network;
import dev.coi.incus.NetworkAcl;
import dev.coi.incus.ServerInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Holds each container to its network policy: the preflight (once per backend), the devices of the
 * create request, and the lifecycle of the session's network ACL: created before the container (so
 * the NIC is filtered from its first packet), deleted after it, and swept when left behind.
 */
final class NetworkGuard {
  private static final System.Logger LOG = System.getLogger(NetworkGuard.class.getName());

  /** The profile coi's containers get (InstanceCreate's default). */
  static final String PROFILE = "default";

  static final String LABEL = InstanceRequests.LABEL_PREFIX;

  /** An ACL nothing uses is left this long for the create that made it to attach it. */
  static final Duration SWEEP_AGE = Duration.ofMinutes(10);

  /**
   * What a create request gets: devices to add, the ACL made for it, if any, and for an allowlist
   * of domains the refresh to run once the container exists.
   */
  record Prepared(
      Map<String, Map<String, String>> devices,
      Optional<String> acl,
      Optional<AllowlistRefresh> refresh,
      Duration firstRefresh) {
    Prepared(Map<String, Map<String, String>> devices, Optional<String> acl) {
      this(devices, acl, Optional.empty(), AllowlistRefresh.MAX_TTL);
    }
  }

  private final AllowlistRefresher refresher = new AllowlistRefresher();

  /** Containers whose allowlist this program keeps up, or knows it has none to keep up. */
  private final Set<String> settled = ConcurrentHashMap.newKeySet();

  /** Containers started here whose ACL was made by another program: deleted with them. */
  private final Set<String> adopted = ConcurrentHashMap.newKeySet();

  private final Supplier<IncusClient> client;
  private final AllowlistRefresh.Resolver resolver;
  private final Clock clock;
  private final AtomicBoolean toldNoNic = new AtomicBoolean();
  private volatile NetworkPreflight.Result preflight;
  private final Supplier<ServerInfo> server;

  NetworkGuard(
      Supplier<IncusClient> client,
      Supplier<ServerInfo> server,
      AllowlistRefresh.Resolver resolver,
      Clock clock) {
    this.client = client;
    this.server = server;
    this.resolver = resolver;
    this.clock = clock;
  }

  NetworkGuard(Supplier<IncusClient> client, AllowlistRefresh.Resolver resolver, Clock clock) {
    this(client, () -> client.get().server(), resolver, clock);
  }

  /**
   * {@code server} is what the backend already knows of the daemon: asking it again would cost
   * every session's start a request.
   */
  NetworkGuard(Supplier<IncusClient> client, Supplier<ServerInfo> server) {
    // Through a lambda: dnsjava is loaded by the first allowlist resolution, not before.
    this(client, server, domain -> HostDns.ofHost().resolve(domain), Clock.systemUTC());
  }

  NetworkGuard(Supplier<IncusClient> client) {
    this(client, () -> client.get().server());
  }

  NetworkPreflight.Result preflight() {
    NetworkPreflight.Result result = preflight;
    if (result == null) {
      IncusClient incus = client.get();
      result =
          NetworkPreflight.assess(
              server.get(),
              PROFILE,
              incus.networks().profileNics(PROFILE),
              name -> {
                try {
                  return Optional.of(incus.networks().get(name));
                } catch (NotFoundException e) {
                  return Optional.empty();
                }
              });
      preflight = result;
    }
    return result;
  }

  /** Sets what the preflight found, for tests that have no daemon to ask. */
  void preflight(NetworkPreflight.Result found) {
    preflight = found;
  }

  NetworkSupport support() {
    return preflight().support();
  }

  /**
   * The devices for the spec's network, and its ACL, created now; nothing for a spec without a
   * policy or in {@code open}. A mode the daemon cannot honour is refused before anything exists.
   */
  Prepared prepare(ContainerSpec spec) {
    if (spec.network().isEmpty() || spec.network().get().mode() == NetworkMode.OPEN) {
      return new Prepared(Map.of(), Optional.empty());
    }
    NetworkPolicy policy = spec.network().get();
    NetworkPreflight.Result found = preflight();
    if (policy.mode() == NetworkMode.NONE || found.nics().isEmpty()) {
      if (policy.mode() != NetworkMode.NONE && toldNoNic.compareAndSet(false, true)) {
        LOG.log(
            System.Logger.Level.DEBUG,
            "network mode "
                + policy.mode().configName()
                + " runs as none: "
                + found.support().reason());
      }
      return new Prepared(noneDevices(found.nics().keySet()), Optional.empty());
    }
    if (!found.support().filtering()) {
      throw new InvalidSpecException(found.support().refusal(policy.mode()));
    }
    Map<String, AllowlistRefresh.Answer> answers =
        policy.mode() == NetworkMode.ALLOWLIST ? resolveEach(policy.allowDomains()) : Map.of();
    List<IpPrefix> resolved =
        answers.values().stream().flatMap(a -> a.addresses().stream()).toList();
    String name = aclName(spec);
    List<IpPrefix> own = ownAddresses(found);
    Map<String, String> config = labels(spec);
    config.putAll(AllowlistRecord.of(policy));
    NetworkAcl acl = EgressRules.acl(name, config, policy, own, resolved);
    client.get().networkAcls().create(acl);
    Optional<AllowlistRefresh> refresh = Optional.empty();
    Duration first = AllowlistRefresh.MAX_TTL;
    if (policy.mode() == NetworkMode.ALLOWLIST && !policy.allowDomains().isEmpty()) {
      refresh = Optional.of(refreshOf(spec.name(), acl, policy, own));
      first = refresh.get().seedAnswers(answers);
    }
    return new Prepared(
        filteredDevices(found.nics(), found.networks(), name), Optional.of(name), refresh, first);
  }

  private AllowlistRefresh refreshOf(
      String container, NetworkAcl acl, NetworkPolicy policy, List<IpPrefix> own) {
    return new AllowlistRefresh(
        acl, policy, own, resolver, new AllowlistTarget(client, container, acl.name()), clock);
  }

  /**
   * Once the container exists, before its agent runs: pins its {@code /etc/hosts} to the
   * allowlist's addresses, and keeps both following the names until it is deleted. A failed pin
   * stops the container and is thrown.
   */
  void started(String container, Prepared prepared) {
    settled.add(container);
    if (prepared.refresh().isEmpty()) {
      return;
    }
    prepared.refresh().get().pinHosts();
    refresher.follow(container, prepared.refresh().get(), prepared.firstRefresh());
  }

  /**
   * This program holds the running container: unless it already keeps its allowlist up (it made or
   * started it), resolves the allowlist it was created with again at once (the ACL updated if its
   * rules changed, {@code /etc/hosts} pinned anew), then keeps following it. A failure stops the
   * container and is thrown. Nothing for a container without an allowlist of names.
   */
  void resume(String container) {
    if (!settled.add(container)) {
      return;
    }
    try {
      AllowlistRecord.find(client.get().networkAcls().list(Map.of(LABEL + "container", container)))
          .ifPresent(
              found -> {
                adopted.add(container);
                AllowlistRefresh refresh =
                    refreshOf(container, found.acl(), found.policy(), ownAddresses(preflight()));
                refresher.follow(container, refresh, refresh.refresh());
              });
    } catch (RuntimeException e) {
      settled.remove(container);
      throw e;
    }
  }

  /** This program no longer holds the container (stopped, deleted, or let go): no more refresh. */
  void unfollow(String container) {
    settled.remove(container);
    refresher.unfollow(container);
  }

  /** Whether this program refreshes the container's allowlist now. */
  boolean follows(String container) {
    return refresher.follows(container);
  }

  /** Whether the refresh thread runs now. */
  boolean refreshing() {
    return refresher.running();
  }

  /** Ends every refresh, waiting for one under way; the backend is closing. */
  void close() {
    settled.clear();
    refresher.close();
  }

  /** Deletes the ACL a failed create made. */
  void release(Prepared prepared) {
    prepared.acl().ifPresent(this::deleteQuietly);
  }

  /** After the container is deleted: its ACL, when it had one. */
  void afterDelete(String container) {
    unfollow(container);
    NetworkPreflight.Result found = preflight;
    if (!adopted.remove(container) && (found == null || found.nics().isEmpty())) {
      return; // this backend never made or adopted an ACL
    }
    for (NetworkAcl acl : client.get().networkAcls().list(Map.of(LABEL + "container", container))) {
      if (acl.usedBy().isEmpty()) {
        deleteQuietly(acl.name());
      }
    }
  }

  /**
   * What the container's allowlist ACL lets through now, as the daemon holds it (its allow rules'
   * subjects, CIDRs or ranges); empty for a container without one.
   */
  List<String> allowlist(String container) {
    NetworkPreflight.Result found = preflight;
    if (found != null && found.nics().isEmpty()) {
      return List.of(); // this backend makes no ACL
    }
    List<String> subjects = new ArrayList<>();
    for (NetworkAcl acl : client.get().networkAcls().list(Map.of(LABEL + "container", container))) {
      if (acl.description().equals(EgressRules.description(NetworkMode.ALLOWLIST))) {
        acl.egress().stream()
            .filter(rule -> rule.action().equals("allow") && rule.destination().isPresent())
            .forEach(rule -> subjects.addAll(List.of(rule.destination().get().split(","))));
      }
    }
    return subjects;
  }

  /**
   * Deletes coi's ACLs nothing uses that are older than {@link #SWEEP_AGE} (a younger one may be
   * waiting for the create that made it). Returns their names.
   */
  List<String> sweep() {
    List<String> swept = new ArrayList<>();
    Instant now = clock.instant();
    for (NetworkAcl acl : client.get().networkAcls().list(Map.of(LABEL + "version", "1"))) {
      Optional<Instant> created = created(acl);
      boolean old = created.map(c -> c.plus(SWEEP_AGE).isBefore(now)).orElse(true);
      if (acl.usedBy().isEmpty() && old && deleteQuietly(acl.name())) {
        swept.add(acl.name());
      }
    }
    return swept;
  }

  private static Optional<Instant> created(NetworkAcl acl) {
    try {
      return Optional.ofNullable(acl.config().get(LABEL + "created")).map(Instant::parse);
    } catch (java.time.format.DateTimeParseException unreadable) {
      return Optional.empty();
    }
  }

  private boolean deleteQuietly(String acl) {
    try {
      client.get().networkAcls().delete(acl);
      return true;
    } catch (NotFoundException gone) {
      return false;
    } catch (RuntimeException inUse) {
      LOG.log(System.Logger.Level.DEBUG, "cannot delete network ACL " + acl, inUse);
      return false;
    }
  }

  /** {@code coi-<session>}, or {@code coi-<container>} for a container of no session. */
  static String aclName(ContainerSpec spec) {
    String session = spec.labels().getOrDefault("session", "");
    return "coi-" + (session.matches("[A-Za-z0-9-]{1,59}") ? session : spec.name());
  }

  /** The ACL's labels; a map the caller may add to. */
  Map<String, String> labels(ContainerSpec spec) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(LABEL + "version", "1");
    labels.put(LABEL + "container", spec.name());
    Optional.ofNullable(spec.labels().get("session"))
        .ifPresent(s -> labels.put(LABEL + "session", s));
    labels.put(LABEL + "created", clock.instant().toString());
    return labels;
  }

  /** Every profile NIC, and {@code eth0} whatever the profile says, as type {@code none}. */
  static Map<String, Map<String, String>> noneDevices(Set<String> nics) {
    Map<String, Map<String, String>> devices = new LinkedHashMap<>();
    Set<String> names = new LinkedHashSet<>(nics);
    names.add("eth0");
    names.forEach(name -> devices.put(name, Map.of("type", "none")));
    return devices;
  }

  /**
   * Each profile NIC as it is, carrying the ACL with default actions, and the anti-spoofing and
   * isolation keys its network's type accepts.
   */
  static Map<String, Map<String, String>> filteredDevices(
      Map<String, Map<String, String>> nics, List<Network> networks, String acl) {
    Map<String, String> types = new LinkedHashMap<>();
    networks.forEach(n -> types.put(n.name(), n.type()));
    Map<String, Map<String, String>> devices = new LinkedHashMap<>();
    nics.forEach(
        (name, nic) -> {
          Map<String, String> device = new LinkedHashMap<>(nic);
          String type = types.getOrDefault(nic.getOrDefault("network", ""), "");
          device.putAll(EgressRules.nicSecurity(acl, type));
          devices.put(name, device);
        });
    return devices;
  }

  /** The bridge's own addresses and every address the host has on a network Incus sees. */
  private List<IpPrefix> ownAddresses(NetworkPreflight.Result found) {
    List<IpPrefix> own = new ArrayList<>();
    for (Network network : found.networks()) {
      for (String key : List.of("ipv4.address", "ipv6.address")) {
        String value = network.config().getOrDefault(key, "");
        if (value.contains("/")) {
          IpPrefix subnet = IpPrefix.parse(value);
          own.add(subnet);
          own.add(IpPrefix.parse(value.substring(0, value.indexOf('/'))));
        }
      }
    }
    for (Network network : client.get().networks().list()) {
      for (String address : client.get().networks().addresses(network.name())) {
        try {
          own.add(IpPrefix.parse(address.substring(0, address.indexOf('/'))));
        } catch (InvalidSpecException unusual) {
          LOG.log(System.Logger.Level.DEBUG, "host address not read: " + address);
        }
      }
    }
    return own;
  }

  private Map<String, AllowlistRefresh.Answer> resolveEach(List<String> domains) {
    Map<String, AllowlistRefresh.Answer> all = new LinkedHashMap<>();
    for (String domain : domains) {
      AllowlistRefresh.Answer answer = resolver.resolve(domain);
      if (answer.addresses().isEmpty()) {
        throw new InvalidSpecException(
            "network.allow_domains: '"
                + domain
                + "' does not resolve on this host"
                + answer.why()
                + ": fix the name or remove it");
      }
      all.put(domain, answer);
    }
    return all;
  }
}
