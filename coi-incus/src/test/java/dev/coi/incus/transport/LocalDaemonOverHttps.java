package dev.coi.incus.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;
import java.util.UUID;

/**
 * The local daemon made a remote for a test: listening for HTTPS on 127.0.0.1 (a free port) and
 * trusting a client certificate made for the test; {@link #close()} removes the certificate and
 * puts {@code core.https_address} back as it was. A JVM shutdown hook does the same if the test run
 * is stopped, so that the daemon is never left listening.
 *
 * <p>A run killed outright (SIGKILL) runs no hook, so what is to be restored is first written to a
 * marker file: the address as it was, and the fingerprint of the certificate about to be trusted
 * (named {@code coi-test-https-…}). The next run reads the marker before anything else, puts the
 * address back and removes that certificate. A file lock held from the start to the end keeps two
 * test runs on this machine (in any checkout) from changing the address at once, which would make
 * the second restore the first one's setting.
 *
 * <p>The calls, over the unix socket: {@code GET /1.0} (config and the server's certificate),
 * {@code PATCH /1.0} with {@code {"config":{"core.https_address":…}}} (a PATCH changes only the
 * keys given; an empty value unsets), {@code POST /1.0/certificates} and {@code DELETE
 * /1.0/certificates/<fingerprint>}.
 */
public final class LocalDaemonOverHttps implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ADDRESS_KEY = "core.https_address";
  private static final Path STATE_DIR = Path.of(System.getProperty("java.io.tmpdir"));
  private static final Path LOCK = STATE_DIR.resolve("coi-test-daemon-https.lock");
  static final Path MARKER = STATE_DIR.resolve("coi-test-daemon-https.restore");

  private final UnixSocketTransport local =
      new UnixSocketTransport(SocketLocator.locate(System.getenv()));
  private final Thread restoreOnExit = new Thread(this::restoreQuietly, "coi-test-restore-https");
  private String previousAddress;
  private boolean addressChanged;
  private String trustedFingerprint;
  private int port;
  private FileChannel lockFile;
  private TestCertificates.Identity client;
  private Path serverCertificate;
  private String serverFingerprint;

  private LocalDaemonOverHttps() {}

  /** Sets the daemon up; on any failure it is restored before the exception is thrown. */
  public static LocalDaemonOverHttps start(Path dir) throws IOException {
    LocalDaemonOverHttps daemon = new LocalDaemonOverHttps();
    try {
      daemon.setUp(dir);
      return daemon;
    } catch (IOException | RuntimeException | Error e) {
      daemon.close();
      throw e;
    }
  }

  private void setUp(Path dir) throws IOException {
    lockFile =
        FileChannel.open(
            LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    lockFile.lock();
    restoreAfterAKilledRun(local, MARKER);
    previousAddress = serverInfo().path("config").path(ADDRESS_KEY).asText("");
    port = freeLoopbackPort();
    client = TestCertificates.selfSigned(dir, "coi-test-https-client");
    writeMarker(previousAddress, client.fingerprint());
    Runtime.getRuntime().addShutdownHook(restoreOnExit);
    addressChanged = true;
    setAddress("127.0.0.1:" + port);

    ObjectNode trust = JSON.createObjectNode();
    trust.put("type", "client");
    trust.put("name", "coi-test-https-" + UUID.randomUUID().toString().substring(0, 8));
    trust.put("certificate", client.base64Der());
    trust.put("restricted", false);
    check(local.send(json("POST", "/1.0/certificates", trust)), "POST /1.0/certificates");
    trustedFingerprint = client.fingerprint();

    JsonNode environment = serverInfo().path("environment");
    serverCertificate =
        Files.writeString(dir.resolve("server.crt"), environment.path("certificate").asText());
    serverFingerprint = environment.path("certificate_fingerprint").asText();
  }

  public URI address() {
    return URI.create("https://127.0.0.1:" + port);
  }

  int port() {
    return port;
  }

  /** A client certificate and key the daemon trusts. */
  public TestCertificates.Identity client() {
    return client;
  }

  /** The daemon's certificate, as GET /1.0 gives it, in a PEM file. */
  Path serverCertificate() {
    return serverCertificate;
  }

  /** The daemon's certificate fingerprint, as GET /1.0 gives it. */
  public String serverFingerprint() {
    return serverFingerprint;
  }

  @Override
  public synchronized void close() throws IOException {
    try {
      if (trustedFingerprint != null) {
        HttpResponse removed =
            local.send(HttpRequest.of("DELETE", "/1.0/certificates/" + trustedFingerprint));
        if (removed.status() != 404) {
          check(removed, "DELETE /1.0/certificates/…");
        }
        trustedFingerprint = null;
      }
    } finally {
      try {
        if (addressChanged) {
          setAddress(previousAddress);
          addressChanged = false;
          String now = serverInfo().path("config").path(ADDRESS_KEY).asText("");
          if (!now.equals(previousAddress)) {
            throw new IOException(
                ADDRESS_KEY + " is '" + now + "' after restoring '" + previousAddress + "'");
          }
        }
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(restoreOnExit);
        } catch (IllegalStateException | IllegalArgumentException exitingOrNeverAdded) {
          // Exiting already (the hook is what runs this), or the hook was never added.
        }
        if (!addressChanged && trustedFingerprint == null) {
          Files.deleteIfExists(MARKER);
        }
        local.close();
        if (lockFile != null) {
          lockFile.close(); // releases the lock
          lockFile = null;
        }
      }
    }
  }

  /**
   * What a killed run left, put back: the address it recorded and the certificate it trusted. Run
   * with the lock held, so no other run is using them.
   */
  static void restoreAfterAKilledRun(HttpTransport local, Path marker) throws IOException {
    if (!Files.exists(marker, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Properties left = new Properties();
    try (var in = Files.newInputStream(marker, LinkOption.NOFOLLOW_LINKS)) {
      left.load(in);
    }
    String fingerprint = left.getProperty("fingerprint", "");
    if (!fingerprint.isEmpty()) {
      HttpResponse removed =
          local.send(HttpRequest.of("DELETE", "/1.0/certificates/" + fingerprint));
      if (removed.status() != 404) {
        check(removed, "DELETE /1.0/certificates/… (left by a killed run)");
      }
    }
    if (left.containsKey("address")) {
      ObjectNode body = JSON.createObjectNode();
      body.putObject("config").put(ADDRESS_KEY, left.getProperty("address"));
      check(local.send(json("PATCH", "/1.0", body)), "PATCH /1.0 (left by a killed run)");
    }
    Files.delete(marker);
  }

  private static void writeMarker(String address, String fingerprint) throws IOException {
    Properties marker = new Properties();
    marker.setProperty("address", address);
    marker.setProperty("fingerprint", fingerprint);
    Path partial = STATE_DIR.resolve(MARKER.getFileName() + "." + ProcessHandle.current().pid());
    try (var out =
        Files.newOutputStream(
            partial,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS)) {
      marker.store(out, "what a coi test run changed in the Incus daemon, to put back");
    }
    Files.move(
        partial, MARKER, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private void restoreQuietly() {
    try {
      close();
    } catch (IOException e) {
      System.err.println("could not restore the daemon's HTTPS settings: " + e);
    }
  }

  private JsonNode serverInfo() throws IOException {
    HttpResponse response = local.send(HttpRequest.of("GET", "/1.0"));
    check(response, "GET /1.0");
    return JSON.readTree(response.body()).path("metadata");
  }

  private void setAddress(String address) throws IOException {
    ObjectNode body = JSON.createObjectNode();
    body.putObject("config").put(ADDRESS_KEY, address);
    check(local.send(json("PATCH", "/1.0", body)), "PATCH /1.0 " + ADDRESS_KEY + "=" + address);
  }

  private static void check(HttpResponse response, String request) throws IOException {
    if (response.status() / 100 != 2) {
      throw new IOException(request + ": HTTP " + response.status() + " " + response.bodyText());
    }
  }

  private static HttpRequest json(String method, String path, JsonNode body) throws IOException {
    return HttpRequest.json(method, path, JSON.writeValueAsString(body));
  }

  private static int freeLoopbackPort() throws IOException {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return probe.getLocalPort();
    }
  }
}
