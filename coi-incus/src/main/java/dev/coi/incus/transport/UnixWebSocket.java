package dev.coi.incus.transport;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An RFC 6455 client websocket on its own unix connection to the daemon (never a pooled one: the
 * upgrade takes the connection over for good). Sends are thread-safe; {@link #receive()} is for one
 * thread at a time, and answers pings as it reads. The connection is a JDK unix channel (see {@link
 * ChannelStreams} for why): interrupting a thread while it reads or writes closes the socket.
 *
 * <p>The daemon ends a stream with an empty text frame and then drops the connection without a
 * close frame; both that marker and a drop at a frame boundary are a normal end here.
 */
final class UnixWebSocket implements WebSocket {
  /** Exec output comes in messages of at most 32 KiB; anything far larger is not the daemon. */
  static final int MAX_MESSAGE = 16 * 1024 * 1024;

  private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final byte[] NORMAL_CLOSURE = {0x03, (byte) 0xE8}; // status 1000

  private final InputStream in;
  private final OutputStream out;
  private final Closeable connection;
  private final String description;
  private final ReentrantLock sendLock = new ReentrantLock();
  private boolean closeSent; // guarded by sendLock
  private boolean ended; // touched by the receiving thread only
  private volatile boolean closed;

  UnixWebSocket(InputStream in, OutputStream out, Closeable connection, String description) {
    this.in = in;
    this.out = out;
    this.connection = connection;
    this.description = description;
  }

  /**
   * Connects to the daemon's socket and upgrades {@code GET path} to a websocket. The connect and
   * the upgrade must each finish within {@code timeout}; afterwards reads wait as long as it takes.
   */
  static UnixWebSocket open(Path socketPath, String path, Duration timeout) throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      channel.connect(UnixDomainSocketAddress.of(socketPath));
      ChannelStreams streams = new ChannelStreams(channel);
      // The buffered reader may read past the upgrade's head into the first frames: keep it.
      InputStream in = new BufferedInputStream(streams.input, 64 * 1024);
      OutputStream out = new BufferedOutputStream(streams.output, 16 * 1024);
      streams.startDeadline(timeout);
      handshake(in, out, path, timeout);
      streams.endDeadline();
      return new UnixWebSocket(in, out, channel, withoutQuery(path));
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  static void handshake(InputStream in, OutputStream out, String path, Duration timeout)
      throws IOException {
    byte[] nonce = new byte[16];
    // The key only proves that the server speaks websocket; on a local socket there is no proxy
    // whose cache an attacker could poison, so a non-cryptographic source is enough.
    ThreadLocalRandom.current().nextBytes(nonce);
    String key = Base64.getEncoder().encodeToString(nonce);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Upgrade", "websocket");
    headers.put("Connection", "Upgrade");
    headers.put("Sec-WebSocket-Key", key);
    headers.put("Sec-WebSocket-Version", "13");
    Http1Codec.writeRequest(new HttpRequest("GET", path, headers, new byte[0], timeout), out);
    HttpResponse response = Http1Codec.readResponse(in, "GET");
    String shownPath = withoutQuery(path);
    if (response.status() != 101) {
      throw new WebSocketRefusedException(shownPath, response);
    }
    if (!"websocket".equalsIgnoreCase(response.header("upgrade"))
        || !acceptFor(key).equals(response.header("sec-websocket-accept"))) {
      throw new ProtocolException(
          "the daemon answered 101 on " + shownPath + " without a valid websocket accept key");
    }
  }

  /** The {@code Sec-WebSocket-Accept} value a server must answer to {@code key}. */
  static String acceptFor(String key) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      byte[] digest = sha1.digest((key + ACCEPT_GUID).getBytes(StandardCharsets.ISO_8859_1));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-1", e);
    }
  }

  @Override
  public Message receive() throws IOException {
    if (ended) {
      return null;
    }
    ByteArrayOutputStream fragments = null;
    int messageOpcode = -1;
    while (true) {
      WebSocketFrames.Frame frame;
      try {
        frame = WebSocketFrames.read(in, MAX_MESSAGE);
      } catch (IOException e) {
        if (closed) {
          // Our own close() interrupted the read: an end, not a failure.
          ended = true;
          return null;
        }
        throw e;
      }
      if (frame == null) {
        ended = true;
        return null;
      }
      switch (frame.opcode()) {
        case WebSocketFrames.PING:
          sendControl(WebSocketFrames.PONG, frame.payload());
          break;
        case WebSocketFrames.PONG:
          break; // unsolicited; we never ping
        case WebSocketFrames.CLOSE:
          ended = true;
          sendControl(WebSocketFrames.CLOSE, NORMAL_CLOSURE);
          return null;
        case WebSocketFrames.TEXT:
        case WebSocketFrames.BINARY:
          if (messageOpcode != -1) {
            throw new ProtocolException("a new websocket message began inside a fragmented one");
          }
          if (frame.fin()) {
            return completed(frame.opcode(), frame.payload());
          }
          messageOpcode = frame.opcode();
          fragments = new ByteArrayOutputStream(frame.payload().length * 2);
          fragments.write(frame.payload());
          break;
        case WebSocketFrames.CONTINUATION:
          if (messageOpcode == -1) {
            throw new ProtocolException("a websocket continuation frame without a message");
          }
          if (fragments.size() + (long) frame.payload().length > MAX_MESSAGE) {
            throw new ProtocolException("websocket message exceeds " + MAX_MESSAGE + " bytes");
          }
          fragments.write(frame.payload());
          if (frame.fin()) {
            return completed(messageOpcode, fragments.toByteArray());
          }
          break;
        default:
          throw new ProtocolException("unknown websocket opcode " + frame.opcode());
      }
    }
  }

  private Message completed(int opcode, byte[] data) {
    boolean text = opcode == WebSocketFrames.TEXT;
    if (text && data.length == 0) {
      // The daemon's end-of-stream marker.
      ended = true;
      return null;
    }
    return new Message(text, data);
  }

  @Override
  public void sendBinary(byte[] data, int offset, int length) throws IOException {
    send(WebSocketFrames.BINARY, data, offset, length);
  }

  @Override
  public void sendText(String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    send(WebSocketFrames.TEXT, bytes, 0, bytes.length);
  }

  @Override
  public void sendClose() {
    sendControl(WebSocketFrames.CLOSE, NORMAL_CLOSURE);
  }

  private void send(int opcode, byte[] data, int offset, int length) throws IOException {
    sendLock.lock();
    // A channel closes when a thread is interrupted in it; an interrupt pending from elsewhere
    // must not close a socket other threads share (a closed control socket kills the command).
    boolean interrupted = Thread.interrupted();
    try {
      if (closeSent || closed) {
        throw new IOException("websocket " + description + " is closed");
      }
      WebSocketFrames.write(
          out, true, opcode, data, offset, length, ThreadLocalRandom.current().nextInt());
      out.flush();
    } finally {
      sendLock.unlock();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Pongs and close frames; nothing may follow a close frame, so later ones are dropped. */
  private void sendControl(int opcode, byte[] payload) {
    sendLock.lock();
    boolean interrupted = Thread.interrupted();
    try {
      if (closeSent || closed) {
        return;
      }
      closeSent = opcode == WebSocketFrames.CLOSE;
      WebSocketFrames.write(
          out, true, opcode, payload, 0, payload.length, ThreadLocalRandom.current().nextInt());
      out.flush();
    } catch (IOException e) {
      // The daemon pings every socket as it connects and drops it once done, so a pong can meet
      // a closed peer while its last frames are still buffered here: those are still to be read,
      // and its end shows on the read side. A later send says the socket is gone.
    } finally {
      sendLock.unlock();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      connection.close();
    } catch (IOException ignored) {
      // Nothing to recover from a socket we are done with.
    }
  }

  @Override
  public String toString() {
    return "websocket " + description;
  }

  private static String withoutQuery(String path) {
    int query = path.indexOf('?');
    // The query holds the secret that grants the socket: never in messages.
    return query < 0 ? path : path.substring(0, query);
  }
}
