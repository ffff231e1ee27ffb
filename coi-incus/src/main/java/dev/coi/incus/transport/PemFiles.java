package dev.coi.incus.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads certificates and private keys from PEM files, so that a remote needs no keystore: the files
 * the {@code incus} client itself writes ({@code client.crt}, {@code client.key}) work as they are.
 */
final class PemFiles {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\s*(.*?)-----END \\1-----", Pattern.DOTALL);
  private static final byte[] PROBE = "coi key check".getBytes(StandardCharsets.US_ASCII);

  private PemFiles() {}

  /** Every certificate in the file, leaf first as PEM chains are written. */
  static List<X509Certificate> certificates(Path file)
      throws IOException, GeneralSecurityException {
    List<X509Certificate> result = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file)) {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      factory.generateCertificates(in).forEach(c -> result.add((X509Certificate) c));
    } catch (CertificateException e) {
      throw new CertificateException(file + " is not a PEM certificate: " + e.getMessage(), e);
    }
    if (result.isEmpty()) {
      throw new CertificateException(file + " holds no PEM certificate");
    }
    return result;
  }

  /**
   * The private key in the file, checked to belong to {@code certificate}. Takes PKCS#8 ({@code
   * BEGIN PRIVATE KEY}) and the older SEC1 ({@code BEGIN EC PRIVATE KEY}, what {@code incus}
   * writes) and PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) forms.
   */
  static PrivateKey privateKey(Path file, X509Certificate certificate)
      throws IOException, GeneralSecurityException {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    Matcher block = BLOCK.matcher(text);
    while (block.find()) {
      String type = block.group(1);
      if (!type.endsWith("PRIVATE KEY")) {
        continue; // openssl puts "EC PARAMETERS" before an EC key
      }
      if (type.startsWith("ENCRYPTED") || block.group(2).contains("Proc-Type:")) {
        throw new GeneralSecurityException(
            file + " is an encrypted key: coi needs it unencrypted (openssl pkey -in it -out new)");
      }
      byte[] der = Base64.getMimeDecoder().decode(block.group(2));
      PublicKey publicKey = certificate.getPublicKey();
      byte[] pkcs8 =
          "PRIVATE KEY".equals(type) ? der : wrapInPkcs8(algorithmIdentifier(publicKey), der);
      PrivateKey key;
      try {
        key =
            KeyFactory.getInstance(publicKey.getAlgorithm())
                .generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      } catch (GeneralSecurityException e) {
        throw new GeneralSecurityException(
            file + " is not a " + publicKey.getAlgorithm() + " private key: " + e.getMessage(), e);
      }
      checkPair(key, publicKey, file);
      return key;
    }
    throw new GeneralSecurityException(
        file
            + " holds no PEM private key (expected BEGIN PRIVATE KEY, EC PRIVATE KEY or RSA"
            + " PRIVATE KEY)");
  }

  /** A key that does not match the certificate only fails later, in a handshake, and obscurely. */
  private static void checkPair(PrivateKey key, PublicKey publicKey, Path file)
      throws GeneralSecurityException {
    String algorithm =
        switch (publicKey.getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          default -> null;
        };
    if (algorithm == null) {
      return;
    }
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(key);
    signer.update(PROBE);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(publicKey);
    verifier.update(PROBE);
    if (!verifier.verify(signature)) {
      throw new GeneralSecurityException(file + " is not the key of the client certificate");
    }
  }

  /**
   * SEC1 and PKCS#1 keys are the inner part of a PKCS#8 key, less the algorithm identifier; the
   * certificate's public key carries that identifier (with the EC curve), so it is borrowed from
   * there.
   */
  static byte[] wrapInPkcs8(byte[] algorithmIdentifier, byte[] innerKey) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0x02, 0x01, 0x00}); // INTEGER 0: the version
    body.writeBytes(algorithmIdentifier);
    body.writeBytes(tagged(0x04, innerKey)); // OCTET STRING
    return tagged(0x30, body.toByteArray()); // SEQUENCE
  }

  /** The AlgorithmIdentifier of a SubjectPublicKeyInfo: its first element, whole. */
  static byte[] algorithmIdentifier(PublicKey publicKey) throws GeneralSecurityException {
    byte[] spki = publicKey.getEncoded();
    int[] outer = header(spki, 0);
    int[] first = header(spki, outer[0]);
    int end = first[0] + first[1];
    if (end > spki.length) {
      throw new GeneralSecurityException("malformed public key encoding");
    }
    byte[] result = new byte[end - outer[0]];
    System.arraycopy(spki, outer[0], result, 0, result.length);
    return result;
  }

  /** The offset of the contents and their length for the DER element at {@code offset}. */
  private static int[] header(byte[] der, int offset) throws GeneralSecurityException {
    if (offset + 2 > der.length) {
      throw new GeneralSecurityException("malformed public key encoding");
    }
    int first = der[offset + 1] & 0xff;
    if (first < 0x80) {
      return new int[] {offset + 2, first};
    }
    int count = first & 0x7f;
    if (count > 3 || offset + 2 + count > der.length) {
      throw new GeneralSecurityException("malformed public key encoding");
    }
    int length = 0;
    for (int i = 0; i < count; i++) {
      length = (length << 8) | (der[offset + 2 + i] & 0xff);
    }
    return new int[] {offset + 2 + count, length};
  }

  private static byte[] tagged(int tag, byte[] contents) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(contents.length + 6);
    out.write(tag);
    int length = contents.length;
    if (length < 0x80) {
      out.write(length);
    } else {
      int bytes = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(length >>> (8 * i));
      }
    }
    out.writeBytes(contents);
    return out.toByteArray();
  }
}
