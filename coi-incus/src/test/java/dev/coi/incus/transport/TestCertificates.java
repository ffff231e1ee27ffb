package dev.coi.incus.transport;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for tests, made by the JDK's own {@code keytool} (no openssl needed) and written as
 * PEM files, as a user would have them.
 */
public final class TestCertificates {
  private static final String PASSWORD = "coi-test";

  private TestCertificates() {}

  /** A key pair and its certificate, in PEM files and in memory. */
  public record Identity(
      String name,
      Path certificate,
      Path key,
      Path keyStore,
      X509Certificate x509,
      PrivateKey privateKey) {

    /** SHA-256 of the certificate, lower-case hex: what Incus calls its fingerprint. */
    public String fingerprint() {
      try {
        return HexFormat.of()
            .formatHex(MessageDigest.getInstance("SHA-256").digest(x509.getEncoded()));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    /** The certificate in the form {@code POST /1.0/certificates} takes: base64 DER. */
    public String base64Der() {
      try {
        return Base64.getEncoder().encodeToString(x509.getEncoded());
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** A self-signed EC P-384 certificate (what Incus uses), for {@code CN=<name>}. */
  public static Identity selfSigned(Path dir, String name, String... keytoolOptions)
      throws IOException {
    List<String> options = new ArrayList<>(List.of("-keyalg", "EC", "-groupname", "secp384r1"));
    options.addAll(List.of(keytoolOptions));
    return generate(dir, name, options);
  }

  /** A self-signed RSA 2048 certificate. */
  public static Identity selfSignedRsa(Path dir, String name) throws IOException {
    return generate(dir, name, List.of("-keyalg", "RSA", "-keysize", "2048"));
  }

  /** A CA: a self-signed certificate that may sign others. */
  public static Identity authority(Path dir, String name) throws IOException {
    return selfSigned(dir, name, "-ext", "bc:c");
  }

  /**
   * A certificate for {@code name} issued by {@code ca}, with the given subject alternative name
   * ({@code ip:127.0.0.1}, {@code dns:host}); its PEM file holds the chain: it, then the CA.
   */
  public static Identity issuedBy(Identity ca, Path dir, String name, String subjectAltName)
      throws IOException {
    Identity own = selfSigned(dir, name);
    Path request = dir.resolve(name + ".csr");
    Path issued = dir.resolve(name + "-issued.crt");
    keytool(
        "-certreq",
        "-alias",
        name,
        "-keystore",
        own.keyStore().toString(),
        "-storepass",
        PASSWORD,
        "-file",
        request.toString());
    keytool(
        "-gencert",
        "-rfc",
        "-alias",
        ca.name(),
        "-keystore",
        ca.keyStore().toString(),
        "-storepass",
        PASSWORD,
        "-infile",
        request.toString(),
        "-outfile",
        issued.toString(),
        "-validity",
        "2",
        "-ext",
        "san=" + subjectAltName);
    try {
      X509Certificate leaf = PemFiles.certificates(issued).get(0);
      Files.writeString(own.certificate(), pem(leaf) + pem(ca.x509()));
      return new Identity(
          name, own.certificate(), own.key(), own.keyStore(), leaf, own.privateKey());
    } catch (GeneralSecurityException e) {
      throw new IOException(e);
    }
  }

  private static Identity generate(Path dir, String name, List<String> keyOptions)
      throws IOException {
    Path store = dir.resolve(name + ".p12");
    List<String> args =
        new ArrayList<>(
            List.of(
                "-genkeypair",
                "-alias",
                name,
                "-dname",
                "CN=" + name,
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD));
    args.addAll(keyOptions);
    keytool(args.toArray(new String[0]));
    try (InputStream in = Files.newInputStream(store)) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(in, PASSWORD.toCharArray());
      X509Certificate certificate = (X509Certificate) keys.getCertificate(name);
      PrivateKey key = (PrivateKey) keys.getKey(name, PASSWORD.toCharArray());
      Path certificateFile = dir.resolve(name + ".crt");
      Path keyFile = dir.resolve(name + ".key");
      Files.writeString(certificateFile, pem(certificate));
      Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));
      return new Identity(name, certificateFile, keyFile, store, certificate, key);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read the keystore keytool made", e);
    }
  }

  public static String pem(X509Certificate certificate) {
    try {
      return pem("CERTIFICATE", certificate.getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String pem(String type, byte[] der) {
    Base64.Encoder mime = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    return "-----BEGIN "
        + type
        + "-----\n"
        + mime.encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private static void keytool(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    // A short-lived tool: the JIT's top tier and a parallel GC only slow its start.
    command.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectErrorStream(true)
            .start();
    try {
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IOException("keytool " + args[0] + " failed: " + output.strip());
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while keytool ran", e);
    }
  }
}
