package dev.coi.examples.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coi.api.CoiException;
import dev.coi.api.SessionInfo;
import dev.coi.api.SessionNotFoundException;
import dev.coi.api.SessionState;
import dev.coi.api.spi.Availability;
import dev.coi.api.spi.SessionStore;
import dev.coi.hostfs.HostDir;
import dev.coi.hostfs.HostTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A {@link SessionStore} that keeps every saved session, its description and its whole state tree,
 * in one JSON file: {@code <sessions_dir>/sessions.json}. An example of coi's SPI, not a store for
 * large states: each save rewrites the file. Registered in {@code
 * META-INF/services/dev.coi.api.spi.SessionStore}; picked by configuration, without code changes:
 *
 * <pre>{@code
 * CLAUDE_ON_INCUS_STORE=json-file java -cp app.jar:coi-examples.jar ...
 * # or, in ~/.config/claude-on-incus/config.toml:  [defaults] store = "json-file"
 * }</pre>
 *
 * <p>Saves are atomic (a new file renamed over the old one) and serialised across threads and
 * processes by a lock file. The state directory is the agent's: it is read and restored through
 * coi-hostfs, which never follows the links the agent may have planted there.
 */
public final class JsonFileSessionStore implements SessionStore {
  /** The largest file of a state tree this store takes. */
  private static final long MAX_FILE = 16L << 20;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Object IN_THIS_JVM = new Object();

  private volatile Path file =
      Path.of(System.getProperty("user.home"), ".claude-on-incus", "sessions.json");

  @Override
  public String name() {
    return "json-file";
  }

  @Override
  public void configure(Map<String, String> settings) {
    Optional.ofNullable(settings.get("sessions_dir"))
        .ifPresent(dir -> file = Path.of(dir).resolve("sessions.json"));
  }

  @Override
  public Availability availability() {
    Path dir = file.getParent();
    try {
      Files.createDirectories(dir);
      return Files.isWritable(dir)
          ? Availability.available()
          : Availability.unavailable(dir + " is not writable");
    } catch (IOException e) {
      return Availability.unavailable("cannot create " + dir + ": " + e.getMessage());
    }
  }

  @Override
  public void save(SessionInfo session, Path stateDirectory) {
    ObjectNode entry = JSON.createObjectNode();
    SessionInfo stored =
        SessionInfo.builder()
            .from(session)
            .state(SessionState.SAVED)
            .saved(session.saved().orElse(Instant.now()))
            .build();
    entry.set("info", SessionJsonCodec.write(stored));
    entry.set("tree", readTree(stateDirectory));
    update(sessions -> sessions.set(session.id(), entry));
  }

  @Override
  public Optional<SessionInfo> find(String id) {
    return Optional.ofNullable(read().get(id)).map(e -> SessionJsonCodec.read(e.get("info")));
  }

  @Override
  public List<SessionInfo> list() {
    List<SessionInfo> all = new ArrayList<>();
    read().forEach(entry -> all.add(SessionJsonCodec.read(entry.get("info"))));
    all.sort(
        Comparator.comparing((SessionInfo s) -> s.saved().orElse(s.created()))
            .reversed()
            .thenComparing(SessionInfo::id));
    return all;
  }

  @Override
  public void restore(String id, Path directory) {
    JsonNode entry = read().get(id);
    if (entry == null) {
      throw new SessionNotFoundException("no saved session " + id + " in " + file);
    }
    try {
      Files.createDirectories(directory);
      try (HostDir root = HostDir.open(directory)) {
        root.clear();
        for (JsonNode node : entry.get("tree")) {
          Path path = Path.of(node.get("path").asText());
          String name = path.getFileName().toString();
          try (HostDir parent =
              path.getParent() == null
                  ? HostDir.open(directory)
                  : root.directories(path.getParent())) {
            switch (node.get("type").asText()) {
              case "dir" -> parent.createDirectory(name, HostDir.PRIVATE_DIRECTORY).close();
              case "link" -> parent.symlink(name, node.get("target").asText());
              default ->
                  parent.write(
                      name,
                      Base64.getDecoder().decode(node.get("data").asText()),
                      HostDir.PRIVATE_FILE);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot restore session " + id + " into " + directory, e);
    }
  }

  @Override
  public boolean delete(String id) {
    boolean[] found = {false};
    update(sessions -> found[0] = sessions.remove(id) != null);
    return found[0];
  }

  /** The state tree as a list of entries, parents first; links as their text, never followed. */
  private static ArrayNode readTree(Path stateDirectory) {
    ArrayNode tree = JSON.createArrayNode();
    try {
      HostTrees.walk(
          stateDirectory,
          (parent, entry, relative) -> {
            ObjectNode node = tree.addObject().put("path", relative.toString());
            if (entry.isDirectory()) {
              node.put("type", "dir");
            } else if (entry.isSymlink()) {
              node.put("type", "link").put("target", parent.readLink(entry.name()));
            } else if (entry.isFile()) {
              node.put("type", "file").put("data", parent.read(entry.name(), MAX_FILE));
            } else {
              tree.remove(tree.size() - 1); // fifos, sockets, devices: not state
            }
          });
    } catch (NoSuchFileException missing) {
      // A state directory that was never made is saved as an empty one.
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the state directory " + stateDirectory, e);
    }
    return tree;
  }

  /** The sessions object of the file, empty when there is no file yet. */
  private ObjectNode read() {
    try {
      return Files.exists(file)
          ? (ObjectNode) JSON.readTree(file.toFile()).get("sessions")
          : JSON.createObjectNode();
    } catch (IOException e) {
      throw new CoiException("cannot read the session file " + file + ": " + e.getMessage(), e);
    }
  }

  /** Changes the sessions under the lock, then puts the new file in place in one rename. */
  private void update(Consumer<ObjectNode> change) {
    Path lock = file.resolveSibling(file.getFileName() + ".lock");
    synchronized (IN_THIS_JVM) {
      try {
        Files.createDirectories(file.getParent());
      } catch (IOException e) {
        throw new CoiException("cannot create " + file.getParent() + ": " + e.getMessage(), e);
      }
      try (FileChannel channel =
              FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock held = channel.lock()) {
        ObjectNode sessions = read();
        change.accept(sessions);
        Path next = file.resolveSibling(file.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
          try (FileChannel out =
              FileChannel.open(next, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            out.write(
                java.nio.ByteBuffer.wrap(
                    JSON.writeValueAsBytes(JSON.createObjectNode().set("sessions", sessions))));
            out.force(true);
          }
          Files.move(next, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
          Files.deleteIfExists(next);
        }
      } catch (IOException e) {
        throw new CoiException("cannot write the session file " + file + ": " + e.getMessage(), e);
      }
    }
  }
}
