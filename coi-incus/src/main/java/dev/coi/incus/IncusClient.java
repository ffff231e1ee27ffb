package dev.coi.incus;

import dev.coi.api.BackendException;
import dev.coi.incus.transport.HttpTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A native client of the Incus REST API: no {@code incus} binary, no process per call. One client
 * holds a small pool of connections and is safe for concurrent use; close it when done.
 *
 * <pre>{@code
 * try (IncusClient incus = IncusClient.local()) {
 *   System.out.println(incus.server().serverVersion());
 *   incus.instances().create(InstanceCreate.builder().name("demo").image("coi-sandbox").build());
 *   ExecOutput out = incus.exec().run("demo", ExecRequest.of("hostname"));
 *   incus.instances().stop("demo", true);
 *   incus.instances().delete("demo");
 * }
 * }</pre>
 *
 * <p>Errors are {@link dev.coi.api.CoiException}s: {@link dev.coi.api.NotFoundException}, {@link
 * dev.coi.api.ConflictException} and {@link dev.coi.api.BackendException} keep the daemon's status
 * and message and name the request; {@link IncusUnavailableException} says the daemon cannot be
 * reached and what to do.
 *
 * <p>A daemon that misbehaves cannot hang or flood the client: see the package documentation for
 * the deadline of each request, the size limits of an answer, and when a request is sent again.
 */
public final class IncusClient implements AutoCloseable {
  private final Rest rest;
  private final Instances instances;
  private final Exec exec;
  private final Operations operations;
  private final Images images;
  private final Events events;
  private final InstanceFiles files;
  private final Snapshots snapshots;
  private final NetworkAcls networkAcls;
  private final Networks networks;
  private volatile List<String> extensions;

  IncusClient(HttpTransport transport) {
    this.rest = new Rest(transport);
    this.instances = new Instances(rest);
    this.operations = new Operations(rest);
    this.images = new Images(rest);
    this.events = new Events(rest);
    this.files = new InstanceFiles(rest);
    this.exec = new Exec(rest, files);
    this.snapshots = new Snapshots(rest);
    this.networkAcls = new NetworkAcls(rest);
    this.networks = new Networks(rest);
  }

  /** The local daemon, its socket found as the Incus tools find it (see the package doc). */
  public static IncusClient local() {
    return local(System.getenv());
  }

  /** The local daemon, with the socket looked up in the given environment. */
  public static IncusClient local(Map<String, String> env) {
    return new IncusClient(Rest.local(env).transport());
  }

  /**
   * A daemon on another host (or this one) over HTTPS, authenticated by a client certificate. It
   * connects at once and checks that the daemon trusts the certificate, so a wrong address,
   * certificate or pin fails here with an {@link IncusUnavailableException} that says which.
   *
   * <pre>{@code
   * IncusRemote remote = IncusRemote.builder()
   *     .address("https://build-host:8443")
   *     .clientCertificate(Path.of("client.crt")).clientKey(Path.of("client.key"))
   *     .serverCertificate(Path.of("build-host.crt"))
   *     .build();
   * try (IncusClient incus = IncusClient.remote(remote)) {
   *   System.out.println(incus.server().serverVersion());
   * }
   * }</pre>
   */
  public static IncusClient remote(IncusRemote remote) {
    return remote.connect();
  }

  /** Where requests go, for messages: "unix socket /var/lib/incus/unix.socket". */
  public String endpoint() {
    return rest.endpoint();
  }

  public ServerInfo server() {
    ServerInfo info = ServerInfo.of(rest.serverInfo());
    extensions = info.apiExtensions();
    return info;
  }

  /**
   * Checks that the daemon has every named API extension; the error names those it lacks. The list
   * is read once per client.
   */
  public void requireExtensions(String... names) {
    List<String> known = extensions != null ? extensions : server().apiExtensions();
    List<String> missing = new ArrayList<>();
    for (String name : names) {
      if (!known.contains(name)) {
        missing.add(name);
      }
    }
    if (!missing.isEmpty()) {
      throw new BackendException(
          501,
          "Incus at "
              + endpoint()
              + " lacks the API extension"
              + (missing.size() > 1 ? "s " : " ")
              + String.join(", ", missing)
              + " that coi needs: upgrade Incus (6.0 or later)");
    }
  }

  public Instances instances() {
    return instances;
  }

  public Exec exec() {
    return exec;
  }

  public Operations operations() {
    return operations;
  }

  public Images images() {
    return images;
  }

  public Events events() {
    return events;
  }

  /** Connections held open for reuse now; for leak checks. */
  int idleConnections() {
    return rest.idleConnections();
  }

  public InstanceFiles files() {
    return files;
  }

  public Snapshots snapshots() {
    return snapshots;
  }

  /** Network ACLs, which a NIC's {@code security.acls} applies to its traffic. */
  public NetworkAcls networkAcls() {
    return networkAcls;
  }

  /** Networks and the NICs profiles give, read only: coi never creates a network. */
  public Networks networks() {
    return networks;
  }

  /**
   * The daemon's storage pools with their space ({@code GET /1.0/storage-pools} and each pool's
   * {@code resources}).
   *
   * <pre>{@code
   * for (StoragePool p : incus.storagePools()) System.out.println(p.name() + " " + p.driver());
   * }</pre>
   */
  public List<StoragePool> storagePools() {
    List<StoragePool> pools = new ArrayList<>();
    for (com.fasterxml.jackson.databind.JsonNode pool :
        rest.get("/1.0/storage-pools?recursion=1")) {
      String name = pool.path("name").asText();
      pools.add(
          StoragePool.of(pool, rest.get("/1.0/storage-pools/" + Rest.encode(name) + "/resources")));
    }
    return pools;
  }

  @Override
  public void close() {
    rest.close();
  }
}
