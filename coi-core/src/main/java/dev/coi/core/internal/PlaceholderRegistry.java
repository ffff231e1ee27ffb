package dev.coi.core.internal;

import dev.coi.api.CoiException;
import dev.coi.api.spi.ContainerBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which placeholders of {@link ProtectedPaths} exist in a workspace and which sessions use them, so
 * that they go when the last session of the workspace ends, and never while another one still needs
 * them as a mount source (a session that planned its mounts but has not created its container yet,
 * or a kept container that will mount them again when it restarts). One file per workspace beside
 * the slot locks, {@code <sessions_dir>/.locks/<hash>.placeholders}, read and written under that
 * workspace's lock; the container cannot reach it.
 *
 * <p>Lines: {@code path <relative path>}, {@code session <id> <owner>} for a running session (the
 * owner as {@link Owners#describeThisProcess()}: a dead one no longer counts), {@code kept
 * <container>} for a kept container (it counts while a container of that name exists that is not
 * ephemeral: when the kept one is deleted outside coi, the next session in its slot takes its name,
 * and an ephemeral container never mounts the placeholders again once its session is over).
 */
final class PlaceholderRegistry {
  private final Path workspace;
  private final Path file;
  private final SessionLocks locks;
  private final String lockId;

  PlaceholderRegistry(Path sessionsDir, Path workspace) {
    this.workspace = workspace;
    String hash = ContainerNames.workspaceHash(workspace);
    this.lockId = hash + ".placeholders";
    this.locks = new SessionLocks(sessionsDir);
    this.file = sessionsDir.resolve(".locks").resolve(hash + ".placeholders");
  }

  /**
   * Plans a session's protection of {@code entries} (at {@link SessionMounts#WORKSPACE_TARGET}) and
   * records the session and the placeholders the plan made.
   */
  ProtectedPaths.Plan enter(String sessionId, List<String> entries, Workspaces.Owner owner) {
    try (SessionLocks.Held held = locks.lock(lockId)) {
      Set<String> lines = read();
      ProtectedPaths.Plan plan =
          ProtectedPaths.plan(workspace, SessionMounts.WORKSPACE_TARGET, entries, owner);
      for (Path made : plan.placeholders()) {
        lines.add("path " + workspace.relativize(made));
      }
      lines.add("session " + sessionId + " " + Owners.describeThisProcess().strip());
      write(lines);
      return plan;
    } catch (IOException e) {
      throw new CoiException("cannot record the placeholders of workspace " + workspace, e);
    }
  }

  /**
   * A session is over: a kept container is recorded as a user of the placeholders; then, when no
   * session or kept container uses them any more, each still-empty placeholder is removed.
   */
  void leave(String sessionId, ContainerBackend containers, String keptContainer) {
    try (SessionLocks.Held held = locks.lock(lockId)) {
      Set<String> lines = read();
      lines.removeIf(line -> line.startsWith("session " + sessionId + " "));
      if (keptContainer != null) {
        lines.add("kept " + keptContainer);
      }
      boolean used = false;
      for (String line : new ArrayList<>(lines)) {
        String[] parts = line.split(" ", 3);
        boolean alive =
            switch (parts[0]) {
              case "session" -> parts.length == 3 && Owners.alive(parts[2]);
              case "kept" -> containers.find(parts[1]).filter(c -> !c.ephemeral()).isPresent();
              default -> true;
            };
        if (!alive) {
          lines.remove(line);
        } else if (!parts[0].equals("path")) {
          used = true;
        }
      }
      if (used) {
        write(lines);
        return;
      }
      List<Path> paths = new ArrayList<>();
      for (String line : lines) {
        if (line.startsWith("path ")) {
          paths.add(workspace.resolve(line.substring(5)));
        }
      }
      // Shallowest first: removePlaceholders goes from the end, a directory after its content.
      // (Not Comparator.comparingInt: see ProviderChoice.)
      paths.sort((a, b) -> Integer.compare(a.getNameCount(), b.getNameCount()));
      ProtectedPaths.removePlaceholders(paths);
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new CoiException("cannot tidy the placeholders of workspace " + workspace, e);
    }
  }

  private Set<String> read() throws IOException {
    Set<String> lines = new LinkedHashSet<>();
    if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          lines.add(line);
        }
      }
    }
    return lines;
  }

  private void write(Set<String> lines) throws IOException {
    Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(temporary);
    Files.write(
        Files.createFile(temporary, PosixFilePermissions.asFileAttribute(StateTrees.PRIVATE_FILE)),
        lines,
        StandardCharsets.UTF_8);
    Files.move(
        temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
