package dev.coi.incus.backend;

import dev.coi.api.NetworkSupport;
import dev.coi.incus.Network;
import dev.coi.incus.ServerInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Whether this daemon can filter a container's traffic per NIC, read from {@code GET /1.0} and the
 * profile's NICs: a network ACL on a NIC needs the {@code network_acl} and {@code
 * network_bridge_acl_devices} API extensions, a managed network, and for a bridge the nftables
 * firewall driver (Incus applies bridge ACLs through nftables only); an OVN network filters itself.
 * In the 6.0 line it also needs 6.0.4 or later ({@link IncusVersion}).
 */
final class NetworkPreflight {
  static final List<String> EXTENSIONS = List.of("network_acl", "network_bridge_acl_devices");

  /**
   * What the preflight found.
   *
   * @param nics the profile's NIC devices by name, with the networks they are on
   */
  record Result(
      NetworkSupport support, Map<String, Map<String, String>> nics, List<Network> networks) {}

  private NetworkPreflight() {}

  static Result assess(
      ServerInfo server,
      String profile,
      Map<String, Map<String, String>> nics,
      Function<String, Optional<Network>> networks) {
    String version = "Incus " + server.serverVersion();
    if (nics.isEmpty()) {
      return new Result(
          NetworkSupport.withoutInterface(
              "profile '"
                  + profile
                  + "' gives containers no NIC ("
                  + version
                  + "): every network mode runs without network, as none"),
          nics,
          List.of());
    }
    List<String> described = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    List<Network> found = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (String extension : EXTENSIONS) {
      if (!server.apiExtensions().contains(extension)) {
        missing.add(extension);
      }
    }
    for (Map.Entry<String, Map<String, String>> nic : nics.entrySet()) {
      String name = nic.getKey();
      Optional<String> networkName = Optional.ofNullable(nic.getValue().get("network"));
      if (networkName.isEmpty()) {
        String parent = nic.getValue().getOrDefault("parent", "?");
        String nictype = nic.getValue().getOrDefault("nictype", "?");
        described.add(name + " (nictype " + nictype + " on " + parent + ")");
        problems.add(
            "NIC "
                + name
                + " is a "
                + nictype
                + " NIC on host interface "
                + parent
                + ", not on an Incus-managed network, and only those carry ACLs");
        continue;
      }
      Optional<Network> network = networks.apply(networkName.get());
      String type = network.map(Network::type).orElse("missing");
      described.add(
          name
              + " on network "
              + networkName.get()
              + " ("
              + type
              + ", firewall "
              + firewall(server)
              + ")");
      if (network.isEmpty() || !network.get().managed()) {
        problems.add(
            "network " + networkName.get() + " of NIC " + name + " is not managed by Incus");
      } else if (type.equals("bridge") && !server.firewall().equals("nftables")) {
        problems.add(
            "network "
                + networkName.get()
                + " of NIC "
                + name
                + " is a bridge on the "
                + firewall(server)
                + " firewall driver, and bridge ACLs need nftables");
      } else if (!type.equals("bridge") && !type.equals("ovn")) {
        problems.add(
            "network "
                + networkName.get()
                + " of NIC "
                + name
                + " is of type "
                + type
                + ", and only bridge and ovn networks carry ACLs");
      }
      network.ifPresent(found::add);
    }
    IncusVersion.refusesNicAcls(server.serverVersion()).ifPresent(problems::add);
    if (!missing.isEmpty()) {
      problems.add(
          version
              + " lacks the API extension(s) "
              + String.join(", ", missing)
              + " (Incus 6.0.4 or later)");
    }
    String nic = String.join(", ", described) + ", " + version;
    return new Result(
        problems.isEmpty()
            ? NetworkSupport.filtered(nic, "per-NIC network ACLs work on " + nic)
            : NetworkSupport.unfiltered(nic, String.join("; ", problems)),
        nics,
        found);
  }

  private static String firewall(ServerInfo server) {
    return server.firewall().isEmpty() ? "unknown" : server.firewall();
  }
}
