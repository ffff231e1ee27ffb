package dev.coi.incus.transport;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * A minimal HTTPS server on 127.0.0.1 standing in for a daemon in unit tests: TLS with the given
 * identity, one request per connection, each answered with the JSON the responder gives for the
 * path. It can refuse every client certificate, as a daemon in PKI mode refuses a stranger's.
 */
public final class TestTlsServer implements AutoCloseable {
  private final SSLServerSocket server;
  private final Function<String, String> responder;
  private final List<X509Certificate> clientCertificates = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  private TestTlsServer(SSLServerSocket server, Function<String, String> responder) {
    this.server = server;
    this.responder = responder;
    this.acceptor = new Thread(this::acceptAll, "test-tls-server");
    this.acceptor.setDaemon(true);
    this.acceptor.start();
  }

  /** A server that accepts any client certificate and records it. */
  public static TestTlsServer start(
      TestCertificates.Identity identity, Function<String, String> responder)
      throws IOException, GeneralSecurityException {
    return start(identity, false, responder);
  }

  public static TestTlsServer start(
      TestCertificates.Identity identity,
      boolean refuseClientCertificates,
      Function<String, String> responder)
      throws IOException, GeneralSecurityException {
    return new TestTlsServer(serverSocket(identity, refuseClientCertificates), responder);
  }

  /**
   * A TLS server socket on 127.0.0.1 (a free port) with the given identity, that takes any client
   * certificate or refuses all of them.
   */
  static SSLServerSocket serverSocket(
      TestCertificates.Identity identity, boolean refuseClientCertificates)
      throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry(
        "server",
        identity.privateKey(),
        new char[0],
        PemFiles.certificates(identity.certificate()).toArray(new X509Certificate[0]));
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, new char[0]);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(
        keys.getKeyManagers(), new TrustManager[] {new AnyClient(refuseClientCertificates)}, null);
    SSLServerSocket socket =
        (SSLServerSocket)
            tls.getServerSocketFactory()
                .createServerSocket(0, 16, InetAddress.getByName("127.0.0.1"));
    if (refuseClientCertificates) {
      socket.setNeedClientAuth(true);
    } else {
      socket.setWantClientAuth(true);
    }
    return socket;
  }

  public URI address() {
    return addressOf(server);
  }

  /** The address a client dials for a server socket listening on 127.0.0.1. */
  static URI addressOf(java.net.ServerSocket server) {
    return URI.create("https://127.0.0.1:" + server.getLocalPort());
  }

  /** The certificates clients presented, one per connection that presented one. */
  public List<X509Certificate> clientCertificates() {
    return clientCertificates;
  }

  private void acceptAll() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        Thread handler = new Thread(() -> answer((SSLSocket) socket), "test-tls-connection");
        handler.setDaemon(true);
        handler.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void answer(SSLSocket socket) {
    try (socket) {
      socket.startHandshake();
      try {
        clientCertificates.add((X509Certificate) socket.getSession().getPeerCertificates()[0]);
      } catch (javax.net.ssl.SSLPeerUnverifiedException none) {
        // A client without a certificate: nothing to record.
      }
      InputStream in = new BufferedInputStream(socket.getInputStream());
      String requestLine = Http1Codec.readLine(in);
      if (requestLine == null) {
        return;
      }
      long length = 0;
      for (String h = Http1Codec.readLine(in);
          h != null && !h.isEmpty();
          h = Http1Codec.readLine(in)) {
        if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Long.parseLong(h.substring(15).trim());
        }
      }
      in.skipNBytes(length);
      byte[] body = responder.apply(requestLine.split(" ")[1]).getBytes(StandardCharsets.UTF_8);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                  + body.length
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
    } catch (IOException e) {
      // A client that gave up (a refused pin, a refused certificate): the test looks at its side.
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    try {
      acceptor.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Takes any client certificate, or refuses all of them. */
  private static final class AnyClient extends CertificateOnlyTrustManager {
    private final boolean refuse;

    AnyClient(boolean refuse) {
      this.refuse = refuse;
    }

    private void check() throws CertificateException {
      if (refuse) {
        throw new CertificateException("this server trusts no client");
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      check();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("a server does not check servers");
    }
  }
}
