package dev.coi.incus.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * HTTP/1.1 over TLS to a remote daemon ({@code core.https_address}), through {@code java.net.http}:
 * it pools connections, and its websockets share the client's threads instead of taking threads of
 * their own. The client authenticates with a certificate (the daemon must trust it: {@code incus
 * config trust add-certificate}); the daemon's certificate is trusted as {@link ServerTrust} says.
 */
public final class HttpsTransport implements HttpTransport {
  /** The port {@code incus remote add} assumes when the address has none. */
  public static final int DEFAULT_PORT = 8443;

  private static final Set<String> RESTRICTED_HEADERS =
      Set.of("connection", "content-length", "expect", "host", "upgrade");
  private static final AtomicInteger CLIENTS = new AtomicInteger();

  private final URI address;
  private final Path clientCertificate;
  private final ServerTrust trust;
  private final Duration connectTimeout;
  private final TransportLimits limits;
  private final ExecutorService executor;
  private final HttpClient client;
  private final Set<HttpsWebSocket> webSockets = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private HttpsTransport(
      URI address,
      Path clientCertificate,
      ServerTrust trust,
      Duration connectTimeout,
      TransportLimits limits,
      SSLContext tls) {
    this.limits = limits;
    this.address = address;
    this.clientCertificate = clientCertificate;
    this.trust = trust;
    this.connectTimeout = connectTimeout;
    String prefix = "coi-https-" + CLIENTS.incrementAndGet() + "-";
    AtomicInteger threads = new AtomicInteger();
    this.executor =
        Executors.newCachedThreadPool(
            task -> {
              Thread t = new Thread(task, prefix + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(connectTimeout)
            .sslContext(tls)
            .executor(executor)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /**
   * A transport to the daemon at {@code address} ({@code https://host[:port]}, port 8443 if none).
   * Reads the PEM files now, so that a bad file fails here rather than at the first request; does
   * not connect yet.
   *
   * @throws IOException when a file cannot be read
   * @throws GeneralSecurityException when a file holds no usable certificate or key, or the key is
   *     not the certificate's
   */
  public static HttpsTransport open(
      URI address,
      Path clientCertificate,
      Path clientKey,
      ServerTrust trust,
      Duration connectTimeout)
      throws IOException, GeneralSecurityException {
    return open(
        address, clientCertificate, clientKey, trust, connectTimeout, TransportLimits.DEFAULTS);
  }

  /** As above, with other bounds than the defaults. */
  public static HttpsTransport open(
      URI address,
      Path clientCertificate,
      Path clientKey,
      ServerTrust trust,
      Duration connectTimeout,
      TransportLimits limits)
      throws IOException, GeneralSecurityException {
    URI normalized = normalize(address);
    SSLContext tls = tlsContext(clientCertificate, clientKey, trust);
    return new HttpsTransport(normalized, clientCertificate, trust, connectTimeout, limits, tls);
  }

  /** {@code https://host:port}, with the default port made explicit and any trailing '/' gone. */
  static URI normalize(URI address) {
    if (!"https".equalsIgnoreCase(address.getScheme()) || address.getHost() == null) {
      throw new IllegalArgumentException("'" + address + "' is not an https://host[:port] address");
    }
    String path = address.getRawPath();
    if ((path != null && !path.isEmpty() && !path.equals("/"))
        || address.getRawQuery() != null
        || address.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          "'" + address + "' has more than https://host[:port]: give the daemon's address alone");
    }
    int port = address.getPort() == -1 ? DEFAULT_PORT : address.getPort();
    String host = address.getHost();
    return URI.create("https://" + host + ":" + port);
  }

  private static SSLContext tlsContext(Path certificateFile, Path keyFile, ServerTrust trust)
      throws IOException, GeneralSecurityException {
    List<X509Certificate> chain = PemFiles.certificates(certificateFile);
    PrivateKey key = PemFiles.privateKey(keyFile, chain.get(0));
    // An in-memory store only: the password guards nothing and never reaches a file.
    char[] password = "coi".toCharArray();
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("client", key, password, chain.toArray(new X509Certificate[0]));
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, password);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(keys.getKeyManagers(), new TrustManager[] {trust.trustManager()}, null);
    return tls;
  }

  @Override
  public HttpResponse send(HttpRequest request) throws IOException {
    java.net.http.HttpResponse<byte[]> response =
        await(
            client.sendAsync(build(request), HttpsBodies.bytes(limits)),
            request,
            deadline(request));
    return new HttpResponse(response.statusCode(), headers(response), response.body());
  }

  /**
   * As {@link #send(HttpRequest)}, the body a stream; past the request's deadline it is closed
   * under its reader, who gets a {@link DeadlineExceededException}.
   */
  @Override
  public StreamedResponse open(HttpRequest request) throws IOException {
    long deadline = deadline(request);
    java.net.http.HttpResponse<InputStream> response =
        await(client.sendAsync(build(request), HttpsBodies.stream(limits)), request, deadline);
    HttpsBodies.DeadlineStream body =
        new HttpsBodies.DeadlineStream(response.body(), request.timeout(), deadline);
    try {
      CompletableFuture.runAsync(
          body::expire,
          CompletableFuture.delayedExecutor(
              Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS, executor));
    } catch (RejectedExecutionException closing) {
      body.expire();
    }
    return new StreamedResponse(response.statusCode(), headers(response), body);
  }

  private static long deadline(HttpRequest request) {
    return System.nanoTime() + request.timeout().toNanos();
  }

  private java.net.http.HttpRequest build(HttpRequest request) throws IOException {
    ensureOpen();
    java.net.http.HttpRequest.Builder http =
        java.net.http.HttpRequest.newBuilder(URI.create(address + request.path()))
            .timeout(request.timeout())
            .header("User-Agent", "coi")
            .method(
                request.method(),
                request.body().length == 0
                    ? BodyPublishers.noBody()
                    : BodyPublishers.ofByteArray(request.body()));
    request
        .headers()
        .forEach(
            (name, value) -> {
              // java.net.http sets these itself and refuses them from callers.
              if (!RESTRICTED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                http.header(name, value);
              }
            });
    return http.build();
  }

  /**
   * The response by the deadline, or the exchange cancelled. The client's own timeout covers only
   * the wait for the headers; this covers the body too.
   */
  private static <T> java.net.http.HttpResponse<T> await(
      CompletableFuture<java.net.http.HttpResponse<T>> exchange, HttpRequest request, long deadline)
      throws IOException {
    try {
      return exchange.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      exchange.cancel(true);
      throw new DeadlineExceededException(request.timeout());
    } catch (InterruptedException e) {
      exchange.cancel(true);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted during " + request.describe());
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
        if (t instanceof ResponseTooLargeException tooLarge) {
          throw tooLarge;
        }
      }
      if (cause instanceof HttpTimeoutException
          && !(cause instanceof HttpConnectTimeoutException)) {
        throw new DeadlineExceededException(request.timeout());
      }
      throw cause instanceof IOException io
          ? io
          : new IOException(request.describe() + " failed: " + cause, cause);
    }
  }

  private static Map<String, String> headers(java.net.http.HttpResponse<?> response) {
    Map<String, String> headers = new HashMap<>();
    response
        .headers()
        .map()
        .forEach(
            (name, values) -> {
              if (!values.isEmpty()) {
                headers.put(name.toLowerCase(Locale.ROOT), values.get(0));
              }
            });
    return headers;
  }

  @Override
  public WebSocket openWebSocket(String path) throws IOException {
    ensureOpen();
    URI uri = URI.create("wss://" + address.getRawAuthority() + path);
    String shown = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    HttpsWebSocket socket = new HttpsWebSocket(webSockets::remove);
    webSockets.add(socket);
    boolean opened = false;
    try {
      client
          .newWebSocketBuilder()
          .connectTimeout(connectTimeout)
          .header("User-Agent", "coi")
          .buildAsync(uri, socket.listener())
          .get(limits.webSocketOpenTimeout().toMillis(), TimeUnit.MILLISECONDS);
      opened = true;
      return socket;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while opening a websocket on " + shown);
    } catch (TimeoutException e) {
      throw new HttpTimeoutException("no websocket handshake on " + shown + " in time");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof WebSocketHandshakeException refused) {
        throw new IOException(
            "the daemon refused a websocket on "
                + shown
                + ": HTTP "
                + refused.getResponse().statusCode(),
            refused);
      }
      throw cause instanceof IOException io
          ? io
          : new IOException("cannot open a websocket on " + shown + ": " + cause, cause);
    } finally {
      if (!opened) {
        webSockets.remove(socket);
      }
    }
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("the transport to " + address + " is closed");
    }
  }

  @Override
  public String endpoint() {
    return address.toString();
  }

  /** The daemon's address, {@code https://host:port}. */
  public URI address() {
    return address;
  }

  /** The client certificate file, to name it in messages (what the daemon must trust). */
  public Path clientCertificate() {
    return clientCertificate;
  }

  /** How the daemon's certificate is trusted, for messages. */
  public ServerTrust trust() {
    return trust;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** Websockets open now; for leak checks in tests. */
  public int openWebSockets() {
    return webSockets.size();
  }

  @Override
  public void close() {
    closed = true;
    List.copyOf(webSockets).forEach(HttpsWebSocket::close);
    executor.shutdown();
    // JDK 21 made HttpClient closeable, which closes its connections and ends its selector thread
    // at once. On JDK 17 the daemon closes the idle pooled connections after 30 s, and the selector
    // thread ends once the client is garbage.
    if (client instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        // Closing what we are done with: nothing to recover.
      }
    }
  }
}
