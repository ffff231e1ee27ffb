package dev.coi.api.testing;

import dev.coi.api.SessionInfo;
import dev.coi.api.SessionNotFoundException;
import dev.coi.api.SessionState;
import dev.coi.api.spi.Availability;
import dev.coi.api.spi.SessionStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/** A session store in memory, for unit tests: each save keeps a copy of the state tree's files. */
public class InMemorySessionStore implements SessionStore {
  private final Map<String, SessionInfo> sessions = new LinkedHashMap<>();
  private final Map<String, Map<String, byte[]>> trees = new LinkedHashMap<>();
  private volatile Map<String, String> settings = Map.of();

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
  public synchronized void save(SessionInfo session, Path stateDirectory) {
    Map<String, byte[]> files = new TreeMap<>();
    if (Files.isDirectory(stateDirectory)) {
      try (Stream<Path> walk = Files.walk(stateDirectory)) {
        for (Path p : (Iterable<Path>) walk::iterator) {
          if (Files.isRegularFile(p)) {
            files.put(stateDirectory.relativize(p).toString(), Files.readAllBytes(p));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    sessions.put(
        session.id(), SessionInfo.builder().from(session).state(SessionState.SAVED).build());
    trees.put(session.id(), files);
  }

  @Override
  public synchronized Optional<SessionInfo> find(String id) {
    return Optional.ofNullable(sessions.get(id));
  }

  @Override
  public synchronized List<SessionInfo> list() {
    List<SessionInfo> all = new ArrayList<>(sessions.values());
    all.sort(Comparator.comparing((SessionInfo s) -> s.saved().orElse(s.created())).reversed());
    return all;
  }

  /** The files saved for a session, by path relative to its state directory. */
  public synchronized Map<String, byte[]> files(String id) {
    return Map.copyOf(trees.getOrDefault(id, Map.of()));
  }

  @Override
  public synchronized void restore(String id, Path directory) {
    Map<String, byte[]> files = trees.get(id);
    if (files == null) {
      throw new SessionNotFoundException("no saved session " + id);
    }
    try {
      Files.createDirectories(directory);
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        Path target = directory.resolve(file.getKey());
        Files.createDirectories(target.getParent());
        Files.write(target, file.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public synchronized boolean delete(String id) {
    trees.remove(id);
    return sessions.remove(id) != null;
  }
}
