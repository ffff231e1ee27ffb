package dev.coi.incus.transport;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * HTTP/1.1 over the daemon's unix socket, through junixsocket (which, unlike the JDK's own unix
 * channels, gives socket read timeouts). Idle connections are kept for reuse; the daemon drops them
 * after about 30 s, so older ones are discarded and a request that meets a connection closed under
 * it is sent again once on a fresh one.
 */
public final class UnixSocketTransport implements HttpTransport {
  private static final Duration MAX_IDLE = Duration.ofSeconds(20);
  private static final int MAX_IDLE_CONNECTIONS = 4;
  private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  private static final Duration WEBSOCKET_OPEN_TIMEOUT = Duration.ofMillis(CONNECT_TIMEOUT_MILLIS);

  private final Path socketPath;
  private final Deque<Connection> idle = new ArrayDeque<>();
  private boolean closed;

  public UnixSocketTransport(Path socketPath) {
    this.socketPath = socketPath;
  }

  @Override
  public String endpoint() {
    return "unix socket " + socketPath;
  }

  public Path socketPath() {
    return socketPath;
  }

  @Override
  public HttpResponse send(HttpRequest request) throws IOException {
    Connection reused = takeIdle();
    if (reused != null) {
      try {
        return exchange(reused, request);
      } catch (EOFException | SocketException e) {
        // The daemon closed the idle connection before it read our request: send it afresh.
        reused.close();
      }
    }
    return exchange(open(), request);
  }

  /**
   * Opens a websocket on a new connection of its own: an upgraded connection never returns to the
   * pool.
   */
  @Override
  public WebSocket openWebSocket(String path) throws IOException {
    return UnixWebSocket.open(socketPath, path, WEBSOCKET_OPEN_TIMEOUT);
  }

  private HttpResponse exchange(Connection c, HttpRequest request) throws IOException {
    boolean keep = false;
    try {
      limitWait(c, request);
      Http1Codec.writeRequest(request, c.out);
      HttpResponse response = Http1Codec.readResponse(c.in, request.method());
      keep = Http1Codec.keepAlive(response);
      return response;
    } finally {
      release(c, keep);
    }
  }

  private static void limitWait(Connection c, HttpRequest request) throws IOException {
    c.socket.setSoTimeout(
        Math.toIntExact(Math.min(Integer.MAX_VALUE, request.timeout().toMillis())));
  }

  /** Back to the pool if the connection may carry another request, else closed. */
  private void release(Connection c, boolean reusable) {
    if (reusable) {
      giveBack(c);
    } else {
      c.close();
    }
  }

  /**
   * Streams the body on a fresh connection (a streamed body cannot be sent a second time, as {@link
   * #send(HttpRequest)} does when a pooled connection turns out to be closed), once the daemon has
   * said it wants it: a request it refuses outright is answered without the upload.
   */
  @Override
  public HttpResponse send(HttpRequest request, RequestBody body) throws IOException {
    Connection c = open();
    boolean keep = false;
    try {
      limitWait(c, request);
      Http1Codec.writeHeadExpectingContinue(request, body.length(), c.out);
      HttpResponse interim = Http1Codec.readResponse(c.in, request.method());
      if (interim.status() != 100) {
        // The daemon answered without the body; the connection, left mid-request, is not reused.
        return interim;
      }
      Http1Codec.writeBody(body, c.out);
      HttpResponse response = Http1Codec.readResponse(c.in, request.method());
      keep = Http1Codec.keepAlive(response);
      return response;
    } finally {
      release(c, keep);
    }
  }

  private Connection open() throws IOException {
    AFUNIXSocket socket = AFUNIXSocket.newInstance();
    try {
      socket.connect(AFUNIXSocketAddress.of(socketPath), CONNECT_TIMEOUT_MILLIS);
      return new Connection(socket);
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  private synchronized Connection takeIdle() {
    long now = System.nanoTime();
    Connection c;
    while ((c = idle.pollLast()) != null) {
      if (now - c.idleSince < MAX_IDLE.toNanos()) {
        return c;
      }
      c.close();
    }
    return null;
  }

  private synchronized void giveBack(Connection c) {
    if (closed || idle.size() >= MAX_IDLE_CONNECTIONS) {
      c.close();
      return;
    }
    c.idleSince = System.nanoTime();
    idle.addLast(c);
  }

  /** Idle connections now; for leak checks in tests. */
  public synchronized int idleConnections() {
    return idle.size();
  }

  @Override
  public synchronized void close() {
    closed = true;
    idle.forEach(Connection::close);
    idle.clear();
  }

  private static final class Connection {
    final AFUNIXSocket socket;
    final InputStream in;
    final OutputStream out;
    long idleSince;

    Connection(AFUNIXSocket socket) throws IOException {
      this.socket = socket;
      this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
      this.out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
    }

    void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // Closing a socket we are done with: nothing to recover.
      }
    }
  }
}
