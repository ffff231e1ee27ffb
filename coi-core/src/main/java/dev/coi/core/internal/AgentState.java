package dev.coi.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coi.api.CoiException;
import dev.coi.hostfs.HostDir;
import dev.coi.hostfs.HostTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The agent's state directory ({@code ~/.claude} in the container) lives on the host, in a
 * directory of its own mounted into the container: whatever ends the session (a power-off inside, a
 * killed JVM), nothing the agent wrote is lost, and saving it is a host-side copy.
 *
 * <p>Each session has {@code <sessions_dir>/.live/<id>/}, holding {@code claude/} (the mount
 * source), {@code owner} (the pid and start time of the program that made it), from which an
 * abandoned one is recognised and rescued into the store, and {@code daemon} (the identity of the
 * backend its container lives on): only a program talking to that daemon may rescue it, as two
 * daemons may share one sessions directory.
 */
final class AgentState {
  /** Files of the host's agent configuration copied into a fresh session's state directory. */
  static final String CREDENTIALS = ".credentials.json";

  static final String SETTINGS = "settings.json";

  /** What lets the agent run without permission prompts: the container is the sandbox. */
  private static final String SANDBOX_SETTINGS =
      "{\"permissions\":{\"defaultMode\":\"bypassPermissions\"}}";

  /** Marks the agent's onboarding and the bypass-permissions warning as done. */
  private static final String SANDBOX_PROFILE =
      "{\"hasCompletedOnboarding\":true,\"bypassPermissionsModeAccepted\":true}";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The file of a live directory that names the daemon its container is on. */
  private static final String DAEMON = "daemon";

  private final Path root;
  private final Workspaces.Owner owner;

  AgentState(Path root, Workspaces.Owner owner) {
    this.root = root;
    this.owner = owner;
  }

  /** Where all sessions' live state directories are: {@code <sessions_dir>/.live}. */
  static Path root(Path sessionsDir) {
    return sessionsDir.resolve(".live");
  }

  /** The host directory mounted as the agent's state directory of a session. */
  static Path liveDirectory(Path root, String id) {
    return root.resolve(id).resolve("claude");
  }

  /**
   * The live state directory a container's {@code state} label names, when it is one of coi's:
   * {@code <root>/<id>/claude}. A label is no reason to delete anything elsewhere on the host.
   */
  static Optional<Path> liveDirectoryOf(Map<String, String> labels, Path root) {
    String label = ContainerLabel.STATE.in(labels).orElse(null);
    if (label == null) {
      return Optional.empty();
    }
    Path path = Path.of(label).normalize();
    Path parent = path.getParent();
    boolean ours =
        path.isAbsolute()
            && path.getFileName() != null
            && path.getFileName().toString().equals("claude")
            && parent != null
            && root.toAbsolutePath().normalize().equals(parent.getParent())
            && parent.getFileName().toString().matches("[A-Za-z0-9][A-Za-z0-9._-]*");
    return ours ? Optional.of(path) : Optional.empty();
  }

  /**
   * Creates a session's empty live state directory, owned by the user the container maps, for a
   * container on the backend of identity {@code daemon}. Every directory is 0700 and every file
   * 0600 from its creation: they hold the agent's credentials.
   */
  Path create(String id, Path workspace, String daemon) {
    Path dir = liveDirectory(root, id);
    try {
      Files.createDirectories(dir, StateTrees.privateDirectory());
      StateTrees.writePrivate(
          dir.getParent().resolve("owner"),
          Owners.describeThisProcess().getBytes(StandardCharsets.UTF_8));
      StateTrees.writePrivate(
          dir.getParent().resolve("workspace"),
          workspace.toString().getBytes(StandardCharsets.UTF_8));
      StateTrees.writePrivate(
          dir.getParent().resolve(DAEMON), daemon.getBytes(StandardCharsets.UTF_8));
      chown(dir);
      return dir;
    } catch (IOException e) {
      throw new CoiException(
          "cannot create the agent's state directory "
              + dir
              + ": "
              + e.getMessage()
              + " (check paths.sessions_dir)",
          e);
    }
  }

  /** Makes sure a kept container's state directory is there, as it was made. */
  void recreate(Path dir) {
    if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.createDirectories(dir, StateTrees.privateDirectory());
      chown(dir);
    } catch (IOException e) {
      throw new CoiException(
          "cannot recreate the agent's state directory " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * True when a live directory belongs to the backend of that identity; one made before coi
   * recorded the daemon has no such file and counts as anyone's, as it did then.
   */
  static boolean onDaemon(Path liveDirectory, String daemon) {
    Path file = liveDirectory.getParent().resolve(DAEMON);
    try {
      return Files.readString(file).equals(daemon);
    } catch (java.nio.file.NoSuchFileException before) {
      return true;
    } catch (IOException | RuntimeException unreadable) {
      // Unknown is not ours: never rescue or delete what may be another daemon's.
      return false;
    }
  }

  /** The workspace a live directory was made for; empty when unknown. */
  static Optional<Path> workspaceOf(Path liveDirectory) {
    try {
      return Optional.of(
          Path.of(Files.readString(liveDirectory.getParent().resolve("workspace")).strip()));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Copies the host's agent credentials and settings into a fresh state directory: only {@value
   * #CREDENTIALS} and {@value #SETTINGS}, the latter merged with the keys that let the agent run
   * without prompts. Returns the names written.
   */
  Set<String> seed(Path dir, Path hostHome) {
    Path hostClaude = hostHome.resolve(".claude");
    // The state directory is the container's to write: it may hold links planted to lead these
    // writes to host files. Each file is written beside and renamed over whatever is there, through
    // the directory's handle, so a link is replaced, never written through.
    try (HostDir state = HostDir.open(dir)) {
      copyCredentials(hostClaude.resolve(CREDENTIALS), state);
      state.write(
          SETTINGS, merged(hostClaude.resolve(SETTINGS), SANDBOX_SETTINGS), HostDir.PRIVATE_FILE);
      chown(state, SETTINGS);
      return Set.of(CREDENTIALS, SETTINGS);
    } catch (IOException e) {
      throw new CoiException(
          "cannot copy the agent's configuration from "
              + hostClaude
              + " into "
              + dir
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /**
   * Replaces the credentials in a kept session's state directory with the host's current ones (a
   * token rotated on the host since); nothing else of it changes. Returns the names written.
   */
  Set<String> refreshCredentials(Path dir, Path hostHome) {
    Path credentials = hostHome.resolve(".claude").resolve(CREDENTIALS);
    try (HostDir state = HostDir.open(dir)) {
      return copyCredentials(credentials, state) ? Set.of(CREDENTIALS) : Set.of();
    } catch (IOException e) {
      throw new CoiException(
          "cannot refresh the agent's credentials from " + credentials + ": " + e.getMessage(), e);
    }
  }

  /**
   * Copies the host's credentials file, if there is one, into a state directory, private from its
   * first byte; a link the agent left there is replaced, never written through.
   */
  private boolean copyCredentials(Path credentials, HostDir state) throws IOException {
    if (!Files.isRegularFile(credentials)) {
      return false;
    }
    state.write(CREDENTIALS, Files.readAllBytes(credentials), HostDir.PRIVATE_FILE);
    chown(state, CREDENTIALS);
    return true;
  }

  /** Removes the agent's credentials from a state directory (a link there, not its target). */
  static void forgetCredentials(Path dir) {
    try (HostDir state = HostDir.open(dir)) {
      state.delete(CREDENTIALS);
    } catch (IOException e) {
      throw new CoiException(
          "cannot remove " + dir.resolve(CREDENTIALS) + ": " + e.getMessage(), e);
    }
  }

  /**
   * The host's {@code ~/.claude.json} merged with the keys that skip the agent's first-run
   * questions, to be written at the agent's home in the container; empty when the host has none.
   */
  static Optional<byte[]> profile(Path hostHome) {
    Path profile = hostHome.resolve(".claude.json");
    if (!Files.isRegularFile(profile)) {
      return Optional.empty();
    }
    return Optional.of(merged(profile, SANDBOX_PROFILE));
  }

  /** A JSON object file with {@code overrides} merged over it, keys of nested objects kept. */
  static byte[] merged(Path file, String overrides) {
    try {
      JsonNode base =
          Files.isRegularFile(file) ? JSON.readTree(file.toFile()) : JSON.createObjectNode();
      if (!base.isObject()) {
        throw new CoiException(
            file + " is not a JSON object: fix it, or set defaults.mount_claude_config = false");
      }
      ObjectNode merged = (ObjectNode) base;
      merge(merged, (ObjectNode) JSON.readTree(overrides));
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(merged);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new CoiException(
          file
              + " is not valid JSON (line "
              + e.getLocation().getLineNr()
              + "): fix it, or set defaults.mount_claude_config = false");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void merge(ObjectNode into, ObjectNode from) {
    from.fields()
        .forEachRemaining(
            field -> {
              JsonNode existing = into.get(field.getKey());
              if (existing instanceof ObjectNode && field.getValue() instanceof ObjectNode) {
                merge((ObjectNode) existing, (ObjectNode) field.getValue());
              } else {
                into.set(field.getKey(), field.getValue());
              }
            });
  }

  /**
   * True when the directory holds something the agent wrote: anything but the seeded files. A
   * session in which the agent never ran is not worth saving.
   */
  static boolean hasAgentState(Path dir, Set<String> seeded) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.anyMatch(p -> !seeded.contains(p.getFileName().toString()));
    } catch (IOException e) {
      return true;
    }
  }

  /**
   * Gives a restored tree to the user the container maps, as a fresh one is: each entry itself
   * (lchown), never what a link leads to.
   */
  void chownTree(Path dir) {
    if (!runningAsRoot()) {
      return;
    }
    try {
      HostTrees.chown(dir, owner.uid(), owner.gid());
    } catch (IOException e) {
      throw new CoiException(
          "cannot give the agent's state directory " + dir + " to its user: " + e.getMessage(), e);
    }
  }

  private void chown(Path path) throws IOException {
    if (runningAsRoot()) {
      try (HostDir dir = HostDir.open(path)) {
        dir.chown(owner.uid(), owner.gid());
      }
    }
  }

  private void chown(HostDir dir, String name) throws IOException {
    if (runningAsRoot()) {
      dir.chown(name, owner.uid(), owner.gid());
    }
  }

  private static boolean runningAsRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** Deletes a session's live directory (the state directory and its owner file). */
  static void delete(Path liveDirectory) {
    Path sessionDir = liveDirectory.getParent();
    try {
      // Opens up what the agent made read-only, never follows links.
      StateTrees.delete(sessionDir);
    } catch (IOException e) {
      throw new CoiException(
          "cannot delete the agent's state directory " + sessionDir + ": " + e.getMessage(), e);
    }
  }

  /** The live directories of every session under {@code root}, with their owner files. */
  static List<Path> all(Path root) {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> sessions = Files.list(root)) {
      return sessions.map(s -> s.resolve("claude")).filter(Files::isDirectory).toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** The owner file's text of a live directory; empty when unreadable. */
  static String ownerOf(Path liveDirectory) {
    try {
      return Files.readString(liveDirectory.getParent().resolve("owner"));
    } catch (IOException e) {
      return "";
    }
  }
}
