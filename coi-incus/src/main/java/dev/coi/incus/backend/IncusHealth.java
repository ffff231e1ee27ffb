package dev.coi.incus.backend;

import dev.coi.api.CoiException;
import dev.coi.api.HostCheck;
import dev.coi.api.ImageInfo;
import dev.coi.incus.Image;
import dev.coi.incus.IncusClient;
import dev.coi.incus.ServerInfo;
import dev.coi.incus.StoragePool;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What {@code coi doctor} and {@code coi images} ask of the daemon, in the API's terms. */
final class IncusHealth {
  /** What coi's requests rely on: create-and-start in one, exec as a user in a directory. */
  static final List<String> NEEDED_EXTENSIONS =
      List.of("instances", "instance_create_start", "container_exec_user_group_cwd");

  /** coi's images, which sessions start from. */
  static final List<String> COI_IMAGES = List.of("coi-sandbox", "coi-privileged");

  /** A pool fuller than this is a warning: image imports and containers need room. */
  private static final double FULL = 0.9;

  private IncusHealth() {}

  static List<ImageInfo> images(IncusClient client) {
    List<ImageInfo> images = new ArrayList<>();
    for (Image image : client.images().list()) {
      ImageInfo.Builder info =
          ImageInfo.builder()
              .aliases(image.aliases())
              .fingerprint(image.fingerprint())
              .size(image.size());
      Optional.ofNullable(image.properties().get("description"))
          .filter(d -> !d.isBlank())
          .ifPresent(info::description);
      images.add(info.build());
    }
    return images;
  }

  static List<HostCheck> checks(IncusClient client) {
    List<HostCheck> checks = new ArrayList<>();
    ServerInfo server;
    try {
      server = client.server();
    } catch (CoiException e) {
      checks.add(
          HostCheck.of(
              "daemon",
              HostCheck.Status.FAILED,
              "no answer at " + client.endpoint() + ": " + e.getMessage(),
              "start Incus (systemctl start incus) or run images/setup-host.sh"));
      return checks;
    }
    checks.add(
        server.isTrusted()
            ? HostCheck.ok("daemon", "Incus " + server.serverVersion() + " at " + client.endpoint())
            : HostCheck.of(
                "daemon",
                HostCheck.Status.FAILED,
                "Incus " + server.serverVersion() + " does not trust this client",
                "run coi as root or as a member of the incus-admin group"));
    List<String> missing = new ArrayList<>(NEEDED_EXTENSIONS);
    missing.removeAll(server.apiExtensions());
    checks.add(
        missing.isEmpty()
            ? HostCheck.ok(
                "API extensions",
                server.apiExtensions().size()
                    + ", including "
                    + String.join(", ", NEEDED_EXTENSIONS))
            : HostCheck.of(
                "API extensions",
                HostCheck.Status.FAILED,
                "missing " + String.join(", ", missing),
                "upgrade Incus to 6.0 or later"));
    checks.add(
        server.idmappedMounts()
            ? HostCheck.ok("idmapped mounts", "supported: workspaces are shifted")
            : HostCheck.of(
                "idmapped mounts",
                HostCheck.Status.WARNING,
                "not supported by the kernel: workspaces are mapped with raw.idmap",
                "use a kernel of 5.19 or later for shifted mounts"));
    checks.addAll(pools(client));
    List<String> present = new ArrayList<>();
    for (Image image : client.images().list()) {
      present.addAll(image.aliases());
    }
    for (String name : COI_IMAGES) {
      checks.add(
          present.contains(name)
              ? HostCheck.ok("image " + name, "present")
              : HostCheck.of(
                  "image " + name,
                  name.equals("coi-sandbox") ? HostCheck.Status.FAILED : HostCheck.Status.WARNING,
                  "missing",
                  "build it: images/setup-host.sh (or coi build)"));
    }
    return checks;
  }

  private static List<HostCheck> pools(IncusClient client) {
    List<HostCheck> checks = new ArrayList<>();
    List<StoragePool> pools;
    try {
      pools = client.storagePools();
    } catch (CoiException e) {
      return List.of(
          HostCheck.of(
              "storage pool",
              HostCheck.Status.FAILED,
              "cannot read: " + e.getMessage(),
              "check the daemon (incus storage list)"));
    }
    if (pools.isEmpty()) {
      return List.of(
          HostCheck.of(
              "storage pool",
              HostCheck.Status.FAILED,
              "none",
              "create one: incus storage create default btrfs (images/setup-host.sh does)"));
    }
    for (StoragePool pool : pools) {
      String name = "storage pool " + pool.name();
      String detail =
          pool.driver()
              + ", "
              + pool.status()
              + (pool.totalBytes() > 0
                  ? ", "
                      + gib(pool.totalBytes() - pool.usedBytes())
                      + " free of "
                      + gib(pool.totalBytes())
                  : "");
      if (!"Created".equals(pool.status())) {
        checks.add(
            HostCheck.of(
                name,
                HostCheck.Status.FAILED,
                detail,
                "repair the pool: incus storage info " + pool.name()));
      } else if (pool.totalBytes() > 0 && pool.usedBytes() > FULL * pool.totalBytes()) {
        checks.add(
            HostCheck.of(
                name,
                HostCheck.Status.WARNING,
                detail,
                "free space: coi clean, incus image delete"));
      } else {
        checks.add(HostCheck.ok(name, detail));
      }
    }
    return checks;
  }

  static String gib(long bytes) {
    return String.format("%.1f GiB", bytes / (1024.0 * 1024 * 1024));
  }
}
