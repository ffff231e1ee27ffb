package dev.coi.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/**
 * The one-time work a JVM does before its first request to the daemon, started on a thread of its
 * own as soon as {@code coi run} has read its command line: junixsocket's native library loaded (it
 * is unpacked from the jar first, which also seeds a {@code SecureRandom}), Jackson's classes
 * initialised (its mapper's date format reads the locale data) and one document shaped like the
 * daemon's answers parsed and written. The main thread needs all of it a few tens of milliseconds
 * later; meanwhile it reads the configuration, plans the mounts and finds the backend, so on a
 * second core the two overlap instead of following each other (docs/BENCHMARKS.md, "Session 6").
 *
 * <p>Nothing here changes what a run does: class initialisation happens once per JVM whichever
 * thread comes first, and the parse is thrown away. A failure is left to the main thread, which
 * meets it as it would have anyway. The classes are named, not imported, because the CLI uses the
 * SDK through its public API only; a name that no longer exists (a library upgrade) is skipped, and
 * {@code PreloadTest} fails on it. Initialising them here first cannot deadlock with the main
 * thread: their initialisers reach only their own library and the JDK, never coi's classes, so the
 * main thread may wait for them but they never wait for it.
 */
final class Preload {
  /** Classes whose initialisation costs; each pulls in the rest of its library's start. */
  static final List<String> CLASSES =
      List.of(
          // Loads the native library (and registers the address families).
          "org.newsclub.net.unix.NativeUnixSocket",
          "org.newsclub.net.unix.AFUNIXSocket",
          "org.newsclub.net.unix.AFUNIXSocketAddress",
          "com.fasterxml.jackson.databind.ObjectMapper");

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
    ClassLoader loader = Preload.class.getClassLoader();
    for (String name : CLASSES) {
      try {
        Class.forName(name, true, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        // The main thread meets the same when it gets there.
      }
    }
    try {
      ObjectMapper json = new ObjectMapper();
      json.writeValueAsBytes(json.readTree(SAMPLE));
    } catch (JsonProcessingException e) {
      // Not reached with the fixed sample; nothing depends on it.
    }
  }
}
