package dev.coi.core.internal;

import dev.coi.api.CoiException;
import dev.coi.api.InvalidSpecException;
import dev.coi.api.SessionInfo;
import dev.coi.api.SessionNotFoundException;
import dev.coi.api.SessionState;
import dev.coi.api.spi.Availability;
import dev.coi.api.spi.SessionStore;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The default session store ({@code file}): each saved session in a directory of its own under
 * {@code sessions_dir} ({@code paths.sessions_dir}, by default {@code
 * ~/.claude-on-incus/sessions}):
 *
 * <pre>
 * &lt;sessions_dir&gt;/&lt;id&gt;                  a link to the current save, .save-&lt;id&gt;-&lt;random&gt;
 * &lt;sessions_dir&gt;/&lt;id&gt;/session.json     the description
 * &lt;sessions_dir&gt;/&lt;id&gt;/claude/          the copy of the agent's state directory
 * &lt;sessions_dir&gt;/.tmp-&lt;id&gt;-&lt;random&gt;    a save being written
 * &lt;sessions_dir&gt;/.locks/&lt;id&gt;.lock       what saves of one id take turns on
 * </pre>
 *
 * <p>A save is written beside the current one and made current by renaming a new link over {@code
 * <id>}, one atomic step: readers, in this process or any other, always find a complete save, the
 * old or the new, and a crash at any point leaves the old one in place. (Renaming directories alone
 * cannot do this: a directory is only renamed over an empty one, so the id would be missing between
 * two renames.) What a crash leaves behind ({@code .tmp-*}, an unused {@code .save-*}) is removed
 * by later saves and lists once it is a minute old and no save of its id is running.
 *
 * <p>Names starting with {@code .} are never sessions: the engine keeps the live state directories
 * of running sessions in {@code .live}, which this store never touches. Directories are created
 * with mode 0700 and descriptions with 0600: the state holds the agent's credentials.
 */
public final class FileSessionStore implements SessionStore {
  private static final System.Logger LOG = System.getLogger(FileSessionStore.class.getName());

  static final String DESCRIPTION = "session.json";
  static final String STATE = "claude";
  private static final String STAGING = ".tmp-";
  private static final String SAVE = ".save-";
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
  private static final Pattern RANDOM = Pattern.compile("[0-9a-f]{16}");
  private static final Duration LEFTOVER_AGE = Duration.ofMinutes(1);

  /** Told of each step of a save; a seam for tests that stop a save midway, as a crash would. */
  interface SaveObserver extends dev.coi.hostfs.HostTrees.CopyObserver {
    // A class, not a lambda: a lambda made in an interface's initialiser is not kept in the CLI's
    // AOT cache, and a JVM's first lambda made at run time costs 15 to 35 ms (docs/BENCHMARKS.md,
    // "Session 8").
    SaveObserver NONE =
        new SaveObserver() {
          @Override
          public void copied(Path relative) {}
        };

    /** The new save is complete on disk and about to be made current. */
    default void staged() throws IOException {}
  }

  private final Clock clock;
  private final SaveObserver observer;
  private volatile Path sessionsDir =
      Path.of(System.getProperty("user.home"), ".claude-on-incus", "sessions");
  private volatile Optional<String> misconfigured = Optional.empty();

  public FileSessionStore() {
    this(Clock.systemUTC(), SaveObserver.NONE);
  }

  FileSessionStore(Clock clock, SaveObserver observer) {
    this.clock = clock;
    this.observer = observer;
  }

  @Override
  public String name() {
    return "file";
  }

  /** Reads {@code sessions_dir}, an absolute path; the default is kept when it is absent. */
  @Override
  public void configure(Map<String, String> settings) {
    String dir = settings.get("sessions_dir");
    if (dir == null) {
      return;
    }
    try {
      Path path = Path.of(dir);
      if (path.isAbsolute()) {
        sessionsDir = path.normalize();
        misconfigured = Optional.empty();
      } else {
        misconfigured =
            Optional.of(
                "sessions_dir '"
                    + dir
                    + "' is not absolute: set paths.sessions_dir to a full path");
      }
    } catch (InvalidPathException e) {
      misconfigured =
          Optional.of(
              "sessions_dir '" + dir + "' is not a path: set paths.sessions_dir to a directory");
    }
  }

  /** Where the sessions are kept. */
  Path sessionsDirectory() {
    return sessionsDir;
  }

  @Override
  public Availability availability() {
    try {
      writableRoot();
      return Availability.available();
    } catch (RuntimeException e) {
      return Availability.unavailable(e.getMessage());
    }
  }

  @Override
  public void save(SessionInfo session, Path stateDirectory) {
    String id = checkId(session.id());
    Path root = writableRoot();
    SessionInfo stored =
        SessionInfo.builder()
            .from(session)
            .state(SessionState.SAVED)
            .saved(session.saved().orElse(clock.instant()))
            .build();
    removeLeftovers(root);
    String random = random();
    Path staging = root.resolve(STAGING + id + "-" + random);
    Path complete = root.resolve(SAVE + id + "-" + random);
    try (SessionLocks.Held lock = new SessionLocks(root).lock(id)) {
      try {
        Files.createDirectory(staging, StateTrees.privateDirectory());
        if (Files.isDirectory(stateDirectory)) {
          StateTrees.copy(stateDirectory.toRealPath(), staging.resolve(STATE), observer);
        } else {
          Files.createDirectory(staging.resolve(STATE), StateTrees.privateDirectory());
        }
        StateTrees.writeNew(staging.resolve(DESCRIPTION), SessionJson.write(stored));
        StateTrees.force(staging);
        observer.staged();
        Files.move(staging, complete, StandardCopyOption.ATOMIC_MOVE);
        Optional<Path> previous = makeCurrent(root, id, complete);
        StateTrees.force(root);
        if (previous.isPresent()) {
          StateTrees.delete(previous.get());
        }
      } catch (IOException | RuntimeException e) {
        deleteQuietly(staging);
        if (!complete.equals(current(root, id).orElse(null))) {
          deleteQuietly(complete);
        }
        throw e;
      }
    } catch (IOException e) {
      throw new CoiException("cannot save session " + id + " in " + root + ": " + describe(e), e);
    }
  }

  /**
   * Points {@code <id>} at a complete save in one rename, and gives the save it replaced, if any.
   */
  private static Optional<Path> makeCurrent(Path root, String id, Path complete)
      throws IOException {
    Path link = root.resolve(id);
    Optional<Path> previous = current(root, id);
    if (Files.isDirectory(link, LinkOption.NOFOLLOW_LINKS)) {
      // A save copied in by hand, not through a link: moved aside, the one non-atomic case.
      Path aside = root.resolve(STAGING + id + "-" + random());
      Files.move(link, aside, StandardCopyOption.ATOMIC_MOVE);
      previous = Optional.of(aside);
    }
    Path newLink = root.resolve(STAGING + id + "-" + random() + ".link");
    Files.createSymbolicLink(newLink, complete.getFileName());
    Files.move(newLink, link, StandardCopyOption.ATOMIC_MOVE);
    return previous;
  }

  /** The save {@code <id>} links to, when it is one of ours (never a path outside the store). */
  private static Optional<Path> current(Path root, String id) {
    try {
      Path target = Files.readSymbolicLink(root.resolve(id));
      String name = target.toString();
      if (target.getNameCount() == 1 && name.startsWith(SAVE + id + "-")) {
        return Optional.of(root.resolve(name));
      }
    } catch (IOException | UnsupportedOperationException notALink) {
      // No save, or one copied in as a directory.
    }
    return Optional.empty();
  }

  @Override
  public Optional<SessionInfo> find(String id) {
    checkId(id);
    Path dir = sessionsDir.resolve(id);
    if (misconfigured.isPresent() || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    try {
      return Optional.of(read(dir));
    } catch (NoSuchFileException e) {
      if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.empty(); // deleted meanwhile
      }
      throw unreadable(id, dir, e);
    } catch (IOException e) {
      throw unreadable(id, dir, e);
    }
  }

  private static CoiException unreadable(String id, Path dir, IOException e) {
    return new CoiException(
        String.format(
            "saved session %s is unreadable (%s: %s): delete the session or remove %s",
            id, dir.resolve(DESCRIPTION), describe(e), dir));
  }

  private static SessionInfo read(Path dir) throws IOException {
    SessionInfo info = SessionJson.read(Files.readAllBytes(dir.resolve(DESCRIPTION)));
    if (!info.id().equals(dir.getFileName().toString())) {
      throw new IOException("it describes session " + info.id());
    }
    return info;
  }

  @Override
  public List<SessionInfo> list() {
    Path root = sessionsDir;
    if (misconfigured.isPresent() || !Files.isDirectory(root)) {
      return List.of();
    }
    removeLeftovers(root);
    List<SessionInfo> sessions = new ArrayList<>();
    for (Path dir : entries(root)) {
      String name = dir.getFileName().toString();
      if (!ID.matcher(name).matches()) {
        continue;
      }
      try {
        sessions.add(read(dir));
      } catch (IOException e) {
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
          LOG.log(
              System.Logger.Level.WARNING,
              "skipping saved session {0}: {1}: {2}",
              name,
              dir.resolve(DESCRIPTION),
              describe(e));
        }
      }
    }
    sessions.sort(
        Comparator.comparing((SessionInfo s) -> s.saved().orElse(s.created()))
            .reversed()
            .thenComparing(SessionInfo::id));
    return sessions;
  }

  @Override
  public void restore(String id, Path directory) {
    checkId(id);
    Path root = sessionsDir;
    Path saved = root.resolve(id);
    if (misconfigured.isPresent() || !Files.exists(saved, LinkOption.NOFOLLOW_LINKS)) {
      throw notFound(id);
    }
    // Under the lock, so that a save of the same id cannot delete what is being copied.
    try (SessionLocks.Held lock = new SessionLocks(root).lock(id)) {
      if (!Files.exists(saved, LinkOption.NOFOLLOW_LINKS)) {
        throw notFound(id);
      }
      Path state = saved.resolve(STATE);
      if (!Files.isDirectory(state)) {
        throw new CoiException(
            "saved session " + id + " has no state directory " + state + ": delete the session");
      }
      if (Files.isSymbolicLink(directory)) {
        throw new CoiException(
            "cannot restore session " + id + " into " + directory + ": it is a symbolic link");
      }
      Files.createDirectories(directory, StateTrees.privateDirectory());
      StateTrees.clear(directory);
      StateTrees.copyContents(state, directory);
    } catch (IOException e) {
      throw new CoiException(
          "cannot restore session " + id + " into " + directory + ": " + describe(e), e);
    }
  }

  private SessionNotFoundException notFound(String id) {
    return new SessionNotFoundException(
        "no saved session " + id + " in " + sessionsDir + ": list them with 'coi list --all'");
  }

  @Override
  public boolean delete(String id) {
    checkId(id);
    Path root = sessionsDir;
    Path link = root.resolve(id);
    if (misconfigured.isPresent() || !Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    try (SessionLocks.Held lock = new SessionLocks(root).lock(id)) {
      if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
        return false;
      }
      Optional<Path> save = current(root, id);
      if (Files.isDirectory(link, LinkOption.NOFOLLOW_LINKS)) {
        save = Optional.of(root.resolve(STAGING + id + "-" + random()));
        Files.move(link, save.get(), StandardCopyOption.ATOMIC_MOVE);
      } else {
        Files.delete(link);
      }
      StateTrees.force(root);
      if (save.isPresent()) {
        StateTrees.delete(save.get());
      }
      return true;
    } catch (IOException e) {
      throw new CoiException("cannot delete saved session " + id + ": " + describe(e), e);
    }
  }

  /**
   * Removes what crashed saves left: staging directories and saves no link points to, once they are
   * a minute old and no save of their id is running (its lock is free).
   */
  private void removeLeftovers(Path root) {
    for (Path entry : entries(root)) {
      String name = entry.getFileName().toString();
      Optional<String> id = leftoverId(name);
      if (id.isEmpty() || !oldEnough(entry)) {
        continue;
      }
      try {
        Optional<SessionLocks.Held> free = new SessionLocks(root).tryLock(id.get());
        if (free.isEmpty()) {
          continue;
        }
        try (SessionLocks.Held lock = free.get()) {
          if (!entry.equals(current(root, id.get()).orElse(null))) {
            LOG.log(System.Logger.Level.DEBUG, "removing {0}, left by a crashed save", entry);
            StateTrees.delete(entry);
          }
        }
      } catch (IOException | RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, "cannot remove leftover " + entry, e);
      }
    }
  }

  /** The id of a staging directory or save ({@code .tmp-<id>-<random>[.link]}); else empty. */
  private static Optional<String> leftoverId(String name) {
    String rest;
    if (name.startsWith(STAGING)) {
      rest = name.substring(STAGING.length());
    } else if (name.startsWith(SAVE)) {
      rest = name.substring(SAVE.length());
    } else {
      return Optional.empty();
    }
    if (rest.endsWith(".link")) {
      rest = rest.substring(0, rest.length() - ".link".length());
    }
    int dash = rest.lastIndexOf('-');
    if (dash <= 0 || !RANDOM.matcher(rest.substring(dash + 1)).matches()) {
      return Optional.empty();
    }
    String id = rest.substring(0, dash);
    return ID.matcher(id).matches() && !id.contains("..") ? Optional.of(id) : Optional.empty();
  }

  private boolean oldEnough(Path entry) {
    try {
      return Files.getLastModifiedTime(entry, LinkOption.NOFOLLOW_LINKS)
          .toInstant()
          .plus(LEFTOVER_AGE)
          .isBefore(clock.instant());
    } catch (IOException gone) {
      return false;
    }
  }

  private static List<Path> entries(Path root) {
    try (Stream<Path> list = Files.list(root)) {
      return list.filter(p -> !p.getFileName().toString().equals(".live"))
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new CoiException("cannot list saved sessions in " + root + ": " + describe(e), e);
    }
  }

  /** The sessions directory, created if missing; a one-line reason with its fix when unusable. */
  private Path writableRoot() {
    if (misconfigured.isPresent()) {
      throw new CoiException(misconfigured.get());
    }
    Path root = sessionsDir;
    try {
      Files.createDirectories(root, StateTrees.privateDirectory());
    } catch (IOException e) {
      throw new CoiException(
          "cannot create sessions_dir "
              + root
              + ": "
              + describe(e)
              + ": set paths.sessions_dir to a writable directory");
    }
    if (!Files.isWritable(root)) {
      throw new CoiException(
          "sessions_dir "
              + root
              + " is not writable: make it writable or set paths.sessions_dir to another directory");
    }
    return root;
  }

  /**
   * Checks an id before it becomes a file name: letters, digits, '.', '_', '-', not starting with
   * '.' (those names are the store's own) and without "..".
   */
  private static String checkId(String id) {
    if (!ID.matcher(id).matches() || id.contains("..")) {
      throw new InvalidSpecException(
          "invalid session id '"
              + id
              + "': use letters, digits, '.', '_' and '-', starting with a letter or digit");
    }
    return id;
  }

  private static String random() {
    return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
  }

  private static void deleteQuietly(Path path) {
    try {
      StateTrees.delete(path);
    } catch (IOException e) {
      LOG.log(System.Logger.Level.DEBUG, "cannot remove " + path, e);
    }
  }

  /** An I/O failure in words: the JDK's messages of file errors are often only the path. */
  static String describe(IOException e) {
    if (e instanceof FileAlreadyExistsException) {
      return "a file is in the way at " + ((FileSystemException) e).getFile();
    }
    if (e instanceof NoSuchFileException) {
      return ((FileSystemException) e).getFile() + " does not exist";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied at " + ((FileSystemException) e).getFile();
    }
    if (e instanceof FileSystemException) {
      FileSystemException f = (FileSystemException) e;
      return f.getFile() + ": " + (f.getReason() != null ? f.getReason() : f.getClass().getName());
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getName();
  }
}
