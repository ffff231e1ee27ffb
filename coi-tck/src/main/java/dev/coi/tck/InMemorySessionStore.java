package dev.coi.tck;

import dev.coi.api.SessionInfo;
import dev.coi.api.SessionNotFoundException;
import dev.coi.api.SessionState;
import dev.coi.api.spi.Availability;
import dev.coi.api.spi.SessionStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A session store in memory, for unit tests: each save keeps a copy of the state tree's
 * directories, files and symbolic links (as links, never followed; file modes are not kept). Passes
 * {@link SessionStoreContract}.
 */
public class InMemorySessionStore implements SessionStore {
  private final Map<String, SessionInfo> sessions = new HashMap<>();
  private final Map<String, Tree> trees = new HashMap<>();
  private final Clock clock;
  private volatile Map<String, String> settings = Map.of();

  public InMemorySessionStore() {
    this(Clock.systemUTC());
  }

  /** A store that stamps saves without a time with this clock's. */
  public InMemorySessionStore(Clock clock) {
    this.clock = clock;
  }

  /** A saved state tree: directories, files and links by path relative to the state directory. */
  private static final class Tree {
    final TreeSet<String> directories = new TreeSet<>();
    final Map<String, byte[]> files = new TreeMap<>();
    final Map<String, Path> links = new TreeMap<>();
  }

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public void configure(Map<String, String> settings) {
    this.settings = Map.copyOf(settings);
  }

  /** The settings last given to {@link #configure}. */
  public Map<String, String> settings() {
    return settings;
  }

  @Override
  public Availability availability() {
    return Availability.available();
  }

  @Override
  public void save(SessionInfo session, Path stateDirectory) {
    Tree tree = read(stateDirectory);
    SessionInfo stored =
        SessionInfo.builder()
            .from(session)
            .state(SessionState.SAVED)
            .saved(session.saved().orElse(clock.instant()))
            .build();
    synchronized (this) {
      sessions.put(session.id(), stored);
      trees.put(session.id(), tree);
    }
  }

  private static Tree read(Path stateDirectory) {
    Tree tree = new Tree();
    if (!Files.isDirectory(stateDirectory, LinkOption.NOFOLLOW_LINKS)) {
      return tree;
    }
    try {
      Files.walkFileTree(
          stateDirectory,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              if (!dir.equals(stateDirectory)) {
                tree.directories.add(stateDirectory.relativize(dir).toString());
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              String relative = stateDirectory.relativize(file).toString();
              if (attrs.isSymbolicLink()) {
                tree.links.put(relative, Files.readSymbolicLink(file));
              } else if (attrs.isRegularFile()) {
                tree.files.put(relative, Files.readAllBytes(file));
              }
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return tree;
  }

  @Override
  public synchronized Optional<SessionInfo> find(String id) {
    return Optional.ofNullable(sessions.get(id));
  }

  @Override
  public synchronized List<SessionInfo> list() {
    List<SessionInfo> all = new ArrayList<>(sessions.values());
    all.sort(
        Comparator.comparing((SessionInfo s) -> s.saved().orElse(s.created()))
            .reversed()
            .thenComparing(SessionInfo::id));
    return all;
  }

  /** The files saved for a session, by path relative to its state directory. */
  public synchronized Map<String, byte[]> files(String id) {
    Tree tree = trees.get(id);
    return tree == null ? Map.of() : Map.copyOf(tree.files);
  }

  @Override
  public void restore(String id, Path directory) {
    Tree tree;
    synchronized (this) {
      tree = trees.get(id);
    }
    if (tree == null) {
      throw new SessionNotFoundException("no saved session " + id);
    }
    try {
      Files.createDirectories(directory);
      try (Stream<Path> entries = Files.list(directory)) {
        for (Path entry : (Iterable<Path>) entries::iterator) {
          deleteTree(entry);
        }
      }
      for (String dir : tree.directories) {
        Files.createDirectories(directory.resolve(dir));
      }
      for (Map.Entry<String, byte[]> file : tree.files.entrySet()) {
        Files.write(
            directory.resolve(file.getKey()), file.getValue(), StandardOpenOption.CREATE_NEW);
      }
      for (Map.Entry<String, Path> link : tree.links.entrySet()) {
        Files.createSymbolicLink(directory.resolve(link.getKey()), link.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes a file, link or directory tree, never following links. */
  private static void deleteTree(Path path) throws IOException {
    if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      try (Stream<Path> entries = Files.list(path)) {
        for (Path entry : (Iterable<Path>) entries::iterator) {
          deleteTree(entry);
        }
      }
    }
    Files.delete(path);
  }

  @Override
  public synchronized boolean delete(String id) {
    trees.remove(id);
    return sessions.remove(id) != null;
  }
}
