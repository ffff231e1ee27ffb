package dev.coi.incus;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Networks, read only, and the NICs a profile gives its instances. There is no create here: coi
 * filters the networks a user has, and never makes one.
 *
 * <pre>{@code
 * Map<String, Map<String, String>> nics = client.networks().profileNics("default");
 * Network bridge = client.networks().get(nics.get("eth0").get("network"));
 * }</pre>
 */
public final class Networks {
  private final Rest rest;

  Networks(Rest rest) {
    this.rest = rest;
  }

  public Network get(String name) {
    return Network.of(rest.get(path(name)));
  }

  public List<Network> list() {
    return rest.list("/1.0/networks", Network::of);
  }

  /** The addresses the host has on that network's interface, as {@code address/prefix}. */
  public List<String> addresses(String name) {
    List<String> result = new ArrayList<>();
    for (JsonNode address : rest.get(path(name) + "/state").path("addresses")) {
      result.add(address.path("address").asText() + "/" + address.path("netmask").asText());
    }
    return result;
  }

  /** The {@code nic} devices of a profile, by device name. */
  public Map<String, Map<String, String>> profileNics(String profile) {
    Map<String, Map<String, String>> nics = new LinkedHashMap<>();
    rest.get("/1.0/profiles/" + Rest.encode(profile))
        .path("devices")
        .fields()
        .forEachRemaining(
            device -> {
              if ("nic".equals(device.getValue().path("type").asText())) {
                nics.put(device.getKey(), Json.strings(device.getValue()));
              }
            });
    return nics;
  }

  private static String path(String name) {
    return "/1.0/networks/" + Rest.encode(name);
  }
}
