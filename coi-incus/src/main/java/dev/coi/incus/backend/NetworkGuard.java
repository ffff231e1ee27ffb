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
import java.net.InetAddress;
import java.net.UnknownHostException;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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

  /** Host names to addresses, on the host; a seam for tests. */
  interface Resolver {
    List<IpPrefix> resolve(String domain);
  }

  /**
   * What a create request gets: devices to add, the ACL made for it, if any, and for an allowlist
   * of domains the refresh to run once the container exists.
   */
  record Prepared(
      Map<String, Map<String, String>> devices,
      Optional<String> acl,
      Optional<AllowlistRefresh> refresh) {
    Prepared(Map<String, Map<String, String>> devices, Optional<String> acl) {
      this(devices, acl, Optional.empty());
    }
  }

  /**
   * How often the allowlist's names are resolved again: the JDK gives no record's TTL, so the
   * shortest {@link AllowlistRefresh} allows.
   */
  static final Duration HOST_TTL = AllowlistRefresh.MIN_TTL;

  private final Map<String, ScheduledFuture<?>> refreshing = new ConcurrentHashMap<>();
  private ScheduledExecutorService refresher;

  private final Supplier<IncusClient> client;
  private final Resolver resolver;
  private final Clock clock;
  private final AtomicBoolean toldNoNic = new AtomicBoolean();
  private volatile NetworkPreflight.Result preflight;
  private final Supplier<ServerInfo> server;

  NetworkGuard(
      Supplier<IncusClient> client, Supplier<ServerInfo> server, Resolver resolver, Clock clock) {
    this.client = client;
    this.server = server;
    this.resolver = resolver;
    this.clock = clock;
  }

  NetworkGuard(Supplier<IncusClient> client, Resolver resolver, Clock clock) {
    this(client, () -> client.get().server(), resolver, clock);
  }

  /**
   * {@code server} is what the backend already knows of the daemon: asking it again would cost
   * every session's start a request.
   */
  NetworkGuard(Supplier<IncusClient> client, Supplier<ServerInfo> server) {
    this(client, server, NetworkGuard::resolveOnHost, Clock.systemUTC());
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
    Map<String, List<IpPrefix>> answers =
        policy.mode() == NetworkMode.ALLOWLIST ? resolveEach(policy.allowDomains()) : Map.of();
    List<IpPrefix> resolved = answers.values().stream().flatMap(List::stream).toList();
    String name = aclName(spec);
    List<IpPrefix> own = ownAddresses(found);
    NetworkAcl acl = EgressRules.acl(name, labels(spec), policy, own, resolved);
    client.get().networkAcls().create(acl);
    Optional<AllowlistRefresh> refresh = Optional.empty();
    if (policy.mode() == NetworkMode.ALLOWLIST && !policy.allowDomains().isEmpty()) {
      refresh = Optional.of(refreshOf(spec.name(), acl, policy, own));
      refresh.get().seed(answers);
    }
    return new Prepared(
        filteredDevices(found.nics(), found.networks(), name), Optional.of(name), refresh);
  }

  private AllowlistRefresh refreshOf(
      String container, NetworkAcl acl, NetworkPolicy policy, List<IpPrefix> own) {
    return new AllowlistRefresh(
        acl,
        policy,
        own,
        domain -> new AllowlistRefresh.Answer(resolver.resolve(domain), HOST_TTL),
        new AllowlistTarget(client, container, acl.name()),
        clock);
  }

  /**
   * Once the container exists, before its agent runs: pins its {@code /etc/hosts} to the
   * allowlist's addresses, and keeps both following the names until it is deleted. A failed pin
   * stops the container and is thrown.
   */
  synchronized void started(String container, Prepared prepared) {
    if (prepared.refresh().isEmpty()) {
      return;
    }
    prepared.refresh().get().pinHosts();
    if (refresher == null) {
      refresher =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "coi-allowlist-refresh");
                t.setDaemon(true);
                return t;
              });
    }
    schedule(container, prepared.refresh().get(), HOST_TTL);
  }

  private synchronized void schedule(String container, AllowlistRefresh refresh, Duration delay) {
    if (refresher == null || refresher.isShutdown()) {
      return;
    }
    refreshing.put(
        container,
        refresher.schedule(
            () -> {
              try {
                schedule(container, refresh, refresh.refresh());
              } catch (RuntimeException stopped) {
                refreshing.remove(container); // fail closed: the container was stopped
              }
            },
            delay.toMillis(),
            TimeUnit.MILLISECONDS));
  }

  /** Ends every refresh; the backend is closing. */
  synchronized void close() {
    if (refresher != null) {
      refresher.shutdownNow();
      refresher = null;
    }
    refreshing.clear();
  }

  /** Deletes the ACL a failed create made. */
  void release(Prepared prepared) {
    prepared.acl().ifPresent(this::deleteQuietly);
  }

  /** After the container is deleted: its ACL, when it had one. */
  void afterDelete(String container) {
    Optional.ofNullable(refreshing.remove(container)).ifPresent(f -> f.cancel(false));
    NetworkPreflight.Result found = preflight;
    if (found == null || found.nics().isEmpty()) {
      return; // this backend never made an ACL
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

  private Map<String, List<IpPrefix>> resolveEach(List<String> domains) {
    Map<String, List<IpPrefix>> all = new LinkedHashMap<>();
    for (String domain : domains) {
      List<IpPrefix> addresses = resolver.resolve(domain);
      if (addresses.isEmpty()) {
        throw new InvalidSpecException(
            "network.allow_domains: '"
                + domain
                + "' does not resolve on this host: fix the name or remove it");
      }
      all.put(domain, addresses);
    }
    return all;
  }

  static List<IpPrefix> resolveOnHost(String domain) {
    try {
      List<IpPrefix> result = new ArrayList<>();
      for (InetAddress address : InetAddress.getAllByName(domain)) {
        result.add(IpPrefix.of(address.getAddress(), address.getAddress().length * 8));
      }
      return result;
    } catch (UnknownHostException e) {
      return List.of();
    }
  }
}
