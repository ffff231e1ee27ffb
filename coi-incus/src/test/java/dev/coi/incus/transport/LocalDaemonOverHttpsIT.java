package dev.coi.incus.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a test run killed while the daemon trusted its certificate left behind is removed by the
 * next run, from the marker it wrote first. The address half of the marker is not exercised here:
 * changing {@code core.https_address} is kept to the classes that need it.
 */
class LocalDaemonOverHttpsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  @Test
  void theCertificateAKilledRunTrustedIsRemovedAtTheNextStart() throws Exception {
    try (UnixSocketTransport local =
        new UnixSocketTransport(SocketLocator.locate(System.getenv()))) {
      TestCertificates.Identity left =
          TestCertificates.selfSigned(dir, "coi-test-https-killed-" + UUID.randomUUID());
      ObjectNode trust = JSON.createObjectNode();
      trust.put("type", "client");
      trust.put("name", "coi-test-https-" + UUID.randomUUID().toString().substring(0, 8));
      trust.put("certificate", left.base64Der());
      trust.put("restricted", false);
      String certificate = "/1.0/certificates/" + left.fingerprint();
      try {
        HttpResponse added =
            local.send(
                HttpRequest.json("POST", "/1.0/certificates", JSON.writeValueAsString(trust)));
        assertEquals(2, added.status() / 100, added.bodyText());
        assertEquals(200, local.send(HttpRequest.of("GET", certificate)).status());
        // As the killed run wrote it, before trusting the certificate.
        Path marker =
            Files.writeString(dir.resolve("restore"), "fingerprint=" + left.fingerprint());

        LocalDaemonOverHttps.restoreAfterAKilledRun(local, marker);

        assertEquals(404, local.send(HttpRequest.of("GET", certificate)).status());
        assertFalse(Files.exists(marker), "the marker is gone once acted on");
      } finally {
        local.send(HttpRequest.of("DELETE", certificate));
      }
    }
  }
}
