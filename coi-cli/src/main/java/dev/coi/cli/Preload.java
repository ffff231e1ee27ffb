package dev.coi.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The one-time work a JVM does before its first request to the daemon, started on a thread of its
 * own as soon as {@code coi run} has read its command line: the JDK's {@code SecureRandom} seeded
 * (for the session's id), junixsocket's native library loaded (unpacked from the jar first, unless
 * the launcher names the copy beside it), Jackson's classes initialised (its mapper's date format
 * reads the locale data) and one document shaped like the daemon's answers parsed and written. The
 * main thread needs all of it a few tens of milliseconds later; meanwhile it reads the
 * configuration, plans the mounts and finds the backend, so on a second core the two overlap
 * instead of following each other (docs/BENCHMARKS.md, "Session 6").
 *
 * <p>Nothing here changes what a run does: class initialisation happens once per JVM whichever
 * thread comes first, and the parse is thrown away. junixsocket keeps a library it could not load
 * as an error for the first socket, as before; but it also prints that error's stack trace as it
 * fails, so it is loaded here only when a local daemon's socket exists (the Incus tools' places): a
 * remote daemon's user on a machine with no local one, who never loaded it, still never does. The
 * classes are named, not imported, because the CLI uses the SDK through its public API only; a name
 * that no longer exists (a library upgrade) is skipped, and {@code PreloadTest} fails on it.
 * Initialising them here first cannot deadlock with the main thread: their initialisers reach only
 * their own library and the JDK, never coi's classes, so the main thread may wait for them but they
 * never wait for it.
 */
final class Preload {
  /** junixsocket's classes whose initialisation costs; the first loads the native library. */
  static final List<String> UNIX_SOCKETS =
      List.of(
          "org.newsclub.net.unix.NativeUnixSocket",
          "org.newsclub.net.unix.AFUNIXSocket",
          "org.newsclub.net.unix.AFUNIXSocketAddress");

  /** Jackson's mapper: its initialisation pulls in the rest of the library's start. */
  static final List<String> JSON = List.of("com.fasterxml.jackson.databind.ObjectMapper");

  /** An answer of the daemon's shape: the parser's and the tree's classes and tables, warmed. */
  static final String SAMPLE =
      "{\"type\":\"sync\",\"status\":\"Success\",\"status_code\":200,\"operation\":\"\","
          + "\"metadata\":{\"name\":\"c\",\"config\":{\"user.k\":\"v\"},\"devices\":{},"
          + "\"stateful\":false,\"limits\":[1,2.5,-3,null]}}";

  private Preload() {}

  /** Starts the work on a daemon thread (the JVM never waits for it) and returns that thread. */
  static Thread start() {
    Thread thread = new Thread(Preload::run, "coi-preload");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  static void run() {
    // The session's id is a random UUID: the JDK's SecureRandom behind it finds its provider
    // through a method handle it makes at its first use, here rather than on the main thread.
    UUID.randomUUID();
    if (localDaemonLikely(System.getenv())) {
      initialise(UNIX_SOCKETS);
    }
    initialise(JSON);
    try {
      ObjectMapper json = new ObjectMapper();
      json.writeValueAsBytes(json.readTree(SAMPLE));
    } catch (JsonProcessingException e) {
      // Not reached with the fixed sample; nothing depends on it.
    }
  }

  /** Whether a daemon's socket exists where the Incus tools look first (SocketLocator's order). */
  static boolean localDaemonLikely(Map<String, String> env) {
    String explicit = env.get("INCUS_SOCKET");
    if (explicit != null && !explicit.isEmpty()) {
      return Files.exists(Path.of(explicit));
    }
    String dir = env.get("INCUS_DIR");
    if (dir != null && !dir.isEmpty()) {
      return Files.exists(Path.of(dir, "unix.socket"));
    }
    return Files.exists(Path.of("/run/incus/unix.socket"))
        || Files.exists(Path.of("/var/lib/incus/unix.socket"));
  }

  private static void initialise(List<String> classes) {
    ClassLoader loader = Preload.class.getClassLoader();
    for (String name : classes) {
      try {
        Class.forName(name, true, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        // The main thread meets the same when it gets there.
      }
    }
  }
}
