package dev.coi.incus.transport;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * HTTP/1.1 over the daemon's unix socket, through junixsocket (which, unlike the JDK's own unix
 * channels, gives socket read timeouts). Idle connections are kept for reuse; the daemon drops them
 * after about 30 s, so older ones are discarded.
 *
 * <p>Every request is bounded: its complete response must arrive within the request's timeout (each
 * read waits only for what is left of it, so a daemon that trickles a byte a second still fails in
 * time), and headers and in-memory bodies within {@link TransportLimits}. A thread interrupted
 * while it waits for an answer gets an {@link InterruptedIOException} within a quarter of a second,
 * its interrupt kept.
 *
 * <p>When a reused connection fails, the request is sent again on a fresh one only when that is
 * safe: when no byte of the request could be written (the daemon had closed the connection, so it
 * never saw the request), or when the request is idempotent and no byte of an answer came back. A
 * {@code POST} that was written and then met a closed connection is never sent twice: the daemon
 * may have created the instance or started the command before it went away.
 */
public final class UnixSocketTransport implements HttpTransport {
  private static final Duration MAX_IDLE = Duration.ofSeconds(20);
  private static final int MAX_IDLE_CONNECTIONS = 4;
  private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS");

  private final Path socketPath;
  private final TransportLimits limits;
  private final Deque<Connection> idle = new ArrayDeque<>();
  private final Set<Connection> busy = new HashSet<>();
  private boolean closed;

  public UnixSocketTransport(Path socketPath) {
    this(socketPath, TransportLimits.DEFAULTS);
  }

  public UnixSocketTransport(Path socketPath, TransportLimits limits) {
    this.socketPath = socketPath;
    this.limits = limits;
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
    Started started = start(request);
    Connection c = started.connection;
    boolean keep = false;
    try {
      byte[] bytes =
          Http1Codec.readAll(
              Http1Codec.body(c.in, request.method(), started.head), limits.maxBodyBytes());
      HttpResponse response =
          new HttpResponse(started.head.status(), started.head.headers(), bytes);
      keep = Http1Codec.keepAlive(response);
      return response;
    } finally {
      release(c, keep);
    }
  }

  @Override
  public StreamedResponse open(HttpRequest request) throws IOException {
    Started started = start(request);
    Connection c = started.connection;
    try {
      Http1Codec.Body body = Http1Codec.body(c.in, request.method(), started.head);
      boolean reusable = !"close".equalsIgnoreCase(started.head.headers().get("connection"));
      return new StreamedResponse(
          started.head.status(), started.head.headers(), new ReleasingBody(body, c, reusable));
    } catch (IOException | RuntimeException e) {
      release(c, false);
      throw e;
    }
  }

  /** A connection with a request written and the response's head read. */
  private record Started(Connection connection, Http1Codec.Head head) {}

  private Started start(HttpRequest request) throws IOException {
    Connection reused = takeIdle();
    if (reused != null) {
      try {
        return startOn(reused, request);
      } catch (IOException e) {
        release(reused, false);
        if (!maySendAgain(request, reused, e)) {
          throw e;
        }
      }
    }
    Connection fresh = open();
    try {
      return startOn(fresh, request);
    } catch (IOException | RuntimeException e) {
      release(fresh, false);
      throw e;
    }
  }

  private Started startOn(Connection c, HttpRequest request) throws IOException {
    c.startDeadline(request.timeout());
    Http1Codec.writeRequest(request, c.out);
    return new Started(c, Http1Codec.readHead(c.in, limits.maxHeaderBytes()));
  }

  /**
   * Whether a request that failed on a reused connection may go again on a fresh one: never after a
   * timeout or an answer (even a partial one); always when the daemon cannot have seen it; for
   * idempotent requests otherwise.
   */
  static boolean maySendAgain(HttpRequest request, Connection c, IOException e) {
    if (e instanceof InterruptedIOException || e instanceof ResponseTooLargeException) {
      return false;
    }
    if (c.input.bytesRead > 0) {
      return false;
    }
    return c.output.bytesWritten == 0 || IDEMPOTENT.contains(request.method());
  }

  /**
   * Opens a websocket on a new connection of its own: an upgraded connection never returns to the
   * pool.
   */
  @Override
  public WebSocket openWebSocket(String path) throws IOException {
    return UnixWebSocket.open(socketPath, path, limits.webSocketOpenTimeout());
  }

  /** Back to the pool if the connection may carry another request, else closed. */
  private void release(Connection c, boolean reusable) {
    synchronized (this) {
      busy.remove(c);
    }
    if (reusable) {
      giveBack(c);
    } else {
      c.close();
    }
  }

  /**
   * Streams the body on a fresh connection (a streamed body cannot be sent a second time), once the
   * daemon has said it wants it: a request it refuses outright is answered without the upload. The
   * request's deadline runs from the start for the daemon's first answer, and again from the end of
   * the upload for its final one.
   */
  @Override
  public HttpResponse send(HttpRequest request, RequestBody body) throws IOException {
    Connection c = open();
    boolean keep = false;
    try {
      c.startDeadline(request.timeout());
      Http1Codec.writeHeadExpectingContinue(request, body.length(), c.out);
      HttpResponse interim = Http1Codec.readResponse(c.in, request.method(), limits);
      if (interim.status() != 100) {
        // The daemon answered without the body; the connection, left mid-request, is not reused.
        return interim;
      }
      Http1Codec.writeBody(body, c.out);
      c.startDeadline(request.timeout());
      HttpResponse response = Http1Codec.readResponse(c.in, request.method(), limits);
      keep = Http1Codec.keepAlive(response);
      return response;
    } finally {
      release(c, keep);
    }
  }

  private Connection open() throws IOException {
    synchronized (this) {
      if (closed) {
        throw new IOException("the transport to " + endpoint() + " is closed");
      }
    }
    AFUNIXSocket socket = AFUNIXSocket.newInstance();
    try {
      socket.connect(AFUNIXSocketAddress.of(socketPath), CONNECT_TIMEOUT_MILLIS);
      Connection c = new Connection(socket);
      synchronized (this) {
        busy.add(c);
      }
      return c;
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
        busy.add(c);
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

  /** Closes idle connections and those in use, so that a request waiting on one ends now. */
  @Override
  public void close() {
    List<Connection> all;
    synchronized (this) {
      closed = true;
      all = List.copyOf(busy);
      busy.clear();
      idle.forEach(Connection::close);
      idle.clear();
    }
    all.forEach(Connection::close);
  }

  /** A streamed body that gives its connection back once read to the end, or drops it. */
  private final class ReleasingBody extends BlockInputStream {
    private final Http1Codec.Body body;
    private final Connection connection;
    private final boolean reusable;
    private boolean released;

    ReleasingBody(Http1Codec.Body body, Connection connection, boolean reusable) {
      this.body = body;
      this.connection = connection;
      this.reusable = reusable;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return body.read(b, off, len);
      } catch (IOException | RuntimeException e) {
        close();
        throw e;
      }
    }

    @Override
    public synchronized void close() {
      if (!released) {
        released = true;
        release(connection, reusable && body.ended());
      }
    }
  }

  static final class Connection {
    final AFUNIXSocket socket;
    final DeadlineInput input;
    final CountingOutput output;
    final InputStream in;
    final OutputStream out;
    long idleSince;

    Connection(AFUNIXSocket socket) throws IOException {
      this.socket = socket;
      this.input = new DeadlineInput(socket);
      this.output = new CountingOutput(socket.getOutputStream());
      this.in = new BufferedInputStream(input, 16 * 1024);
      this.out = new BufferedOutputStream(output, 16 * 1024);
    }

    /** Starts an exchange: counts from zero, and every read ends by {@code now + timeout}. */
    void startDeadline(Duration timeout) {
      input.start(timeout);
      output.bytesWritten = 0;
    }

    void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // Closing a socket we are done with: nothing to recover.
      }
    }
  }

  /**
   * The socket's input, each read waiting only for what is left of the exchange's deadline, and
   * counting what came.
   */
  static final class DeadlineInput extends BlockInputStream {
    private final AFUNIXSocket socket;
    private final InputStream in;
    private Duration timeout = HttpRequest.DEFAULT_TIMEOUT;
    private long deadline = System.nanoTime() + timeout.toNanos();
    private static final int INTERRUPT_CHECK_MILLIS = 250;
    long bytesRead;

    DeadlineInput(AFUNIXSocket socket) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
    }

    void start(Duration newTimeout) {
      timeout = newTimeout;
      deadline = System.nanoTime() + newTimeout.toNanos();
      bytesRead = 0;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      while (true) {
        if (Thread.currentThread().isInterrupted()) {
          // The flag stays set, so that the caller's next request ends as quickly.
          throw new InterruptedIOException("interrupted while waiting for the daemon");
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new DeadlineExceededException(timeout);
        }
        // Waits in slices, rounded up and never 0 (which would mean no timeout at all), so that
        // an interrupt is noticed as well as the deadline.
        long millis = Math.max(1, (left + 999_999) / 1_000_000);
        socket.setSoTimeout((int) Math.min(INTERRUPT_CHECK_MILLIS, millis));
        try {
          int n = in.read(b, off, len);
          if (n > 0) {
            bytesRead += n;
          }
          return n;
        } catch (SocketTimeoutException slice) {
          // Loop: the deadline or an interrupt decides.
        }
      }
    }
  }

  /** Counts the bytes the socket accepted: none means the daemon cannot have seen the request. */
  static final class CountingOutput extends BlockFilterOutputStream {
    long bytesWritten;

    CountingOutput(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      bytesWritten += len;
    }
  }
}
