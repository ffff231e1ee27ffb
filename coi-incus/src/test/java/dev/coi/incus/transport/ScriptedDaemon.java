package dev.coi.incus.transport;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * A daemon that misbehaves as a test scripts it, on a unix socket or over TLS on 127.0.0.1: the
 * script gets each connection and reads requests, answers raw bytes, trickles, stalls or hangs up.
 * It records every request line it read. {@link #close()} ends every connection and joins every
 * thread it started.
 *
 * <pre>{@code
 * try (ScriptedDaemon d = ScriptedDaemon.unix(dir.resolve("d.socket"), c -> {
 *   c.readRequest();
 *   c.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial");
 *   c.hangUp();
 * })) { ... }
 * }</pre>
 */
public final class ScriptedDaemon implements AutoCloseable {
  /** What the daemon does with one connection. */
  @FunctionalInterface
  public interface Script {
    void serve(Connection c) throws Exception;
  }

  private final ServerSocket server;
  private final Script script;
  private final Path socketPath;
  private final Thread acceptor;
  private final List<Thread> handlers = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<Throwable> failures = new CopyOnWriteArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger hangUps = new AtomicInteger();

  private ScriptedDaemon(ServerSocket server, Path socketPath, Script script) {
    this.server = server;
    this.socketPath = socketPath;
    this.script = script;
    this.acceptor = new Thread(this::acceptAll, "test-scripted-daemon");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** On a unix socket at {@code socket}. */
  public static ScriptedDaemon unix(Path socket, Script script) throws IOException {
    AFUNIXServerSocket server = AFUNIXServerSocket.newInstance();
    server.bind(AFUNIXSocketAddress.of(socket));
    return new ScriptedDaemon(server, socket, script);
  }

  /** Over TLS on 127.0.0.1, with {@code identity} as the server's certificate. */
  public static ScriptedDaemon tls(TestCertificates.Identity identity, Script script)
      throws IOException, GeneralSecurityException {
    return new ScriptedDaemon(TestTlsServer.serverSocket(identity, false), null, script);
  }

  public Path socketPath() {
    return socketPath;
  }

  public URI address() {
    return TestTlsServer.addressOf(server);
  }

  /** Request lines read so far ("POST /1.0/instances"), in order. */
  public List<String> requests() {
    return requests;
  }

  public int connections() {
    return connections.get();
  }

  /** Connections the script hung up on (with {@link Connection#hangUp()}). */
  public int hangUps() {
    return hangUps.get();
  }

  private void acceptAll() {
    while (!server.isClosed()) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException closed) {
        return;
      }
      sockets.add(socket);
      int index = connections.incrementAndGet();
      Thread handler =
          new Thread(
              () -> {
                try (socket) {
                  if (socket instanceof SSLSocket tls) {
                    tls.startHandshake();
                  }
                  script.serve(new Connection(socket, index));
                } catch (IOException clientWentAway) {
                  // What a client does to a misbehaving daemon: the test looks at its side.
                } catch (Exception | Error e) {
                  failures.add(e);
                }
              },
              "test-scripted-daemon-" + index);
      handler.setDaemon(true);
      handlers.add(handler);
      handler.start();
    }
  }

  /**
   * Stops listening, hangs up every connection and waits for every thread; fails if the script
   * itself failed.
   */
  @Override
  public void close() throws Exception {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
    acceptor.join(10_000);
    for (Thread t : handlers) {
      t.join(10_000);
    }
    if (acceptor.isAlive() || handlers.stream().anyMatch(Thread::isAlive)) {
      throw new AssertionError("a thread of the scripted daemon outlived its close()");
    }
    if (!failures.isEmpty()) {
      throw new AssertionError("the daemon's script failed", failures.get(0));
    }
  }

  /** One request as read: method, path, lower-case headers, body. */
  public record Request(String method, String path, Map<String, String> headers, byte[] body) {}

  /** One client connection, as the script sees it. */
  public final class Connection {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /** 1 for the first connection the daemon accepted. */
    public final int index;

    Connection(Socket socket, int index) throws IOException {
      this.socket = socket;
      this.in = new BufferedInputStream(socket.getInputStream());
      this.out = socket.getOutputStream();
      this.index = index;
    }

    /** The next request, body included; null when the client closed the connection. */
    public Request readRequest() throws IOException {
      String line = Http1Codec.readLine(in);
      if (line == null) {
        return null;
      }
      Map<String, String> headers = new HashMap<>();
      for (String h = Http1Codec.readLine(in); h != null && !h.isEmpty(); ) {
        int colon = h.indexOf(':');
        headers.put(
            h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        h = Http1Codec.readLine(in);
      }
      byte[] body = new byte[0];
      if (headers.containsKey("content-length")
          && !"100-continue".equalsIgnoreCase(headers.get("expect"))) {
        body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
      }
      String[] parts = line.split(" ");
      requests.add(parts[0] + " " + parts[1]);
      return new Request(parts[0], parts[1], headers, body);
    }

    public void write(String text) throws IOException {
      write(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public void write(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
    }

    /** A complete answer with a JSON body, the connection kept open. */
    public void answer(int status, String json) throws IOException {
      byte[] body = json.getBytes(StandardCharsets.UTF_8);
      write(
          "HTTP/1.1 "
              + status
              + " X\r\nContent-Type: application/json\r\nContent-Length: "
              + body.length
              + "\r\n\r\n");
      write(body);
    }

    /** A sync envelope around {@code metadata}. */
    public void answerSync(String metadata) throws IOException {
      answer(
          200,
          "{\"type\":\"sync\",\"status\":\"Success\",\"status_code\":200,\"metadata\":"
              + metadata
              + "}");
    }

    /** Sends {@code bytes} one at a time, {@code pause} apart, until done or the client leaves. */
    public void trickle(byte[] bytes, Duration pause) throws IOException, InterruptedException {
      for (byte b : bytes) {
        out.write(b);
        out.flush();
        Thread.sleep(pause.toMillis());
      }
    }

    /** Waits until the client closes the connection (or the daemon is closed), reading nothing. */
    public void hang() throws IOException {
      while (in.read() != -1) {
        // Whatever comes is ignored, as a stuck daemon would.
      }
    }

    /** Closes the connection at once. */
    public void hangUp() throws IOException {
      hangUps.incrementAndGet();
      socket.close();
    }
  }
}
