package dev.coi.core.internal;

import dev.coi.api.InvalidSpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Set;

/** Checks a workspace before anything is created, and tells who owns it on the host. */
final class Workspaces {
  /** Directories that must never be handed to a container whole. */
  private static final Set<Path> FORBIDDEN = Set.of(Path.of("/"), Path.of("/var/lib/incus"));

  private Workspaces() {}

  /** The workspace as an absolute path with links resolved; a clear error when it cannot be one. */
  static Path resolve(Path workspace, Path userHome) {
    Path absolute = workspace.toAbsolutePath().normalize();
    if (!Files.exists(absolute)) {
      throw new InvalidSpecException(
          "workspace " + absolute + " does not exist: create it or pass an existing directory");
    }
    if (!Files.isDirectory(absolute)) {
      throw new InvalidSpecException(
          "workspace " + absolute + " is not a directory: pass the project's directory");
    }
    Path real;
    try {
      real = absolute.toRealPath();
    } catch (IOException e) {
      throw new InvalidSpecException(
          "workspace " + absolute + " cannot be read: " + e.getMessage());
    }
    if (FORBIDDEN.contains(real) || real.equals(realOrSelf(userHome))) {
      throw new InvalidSpecException(
          "workspace "
              + real
              + " is too broad to mount into a container: use a project directory inside it");
    }
    return real;
  }

  private static Path realOrSelf(Path path) {
    try {
      return path.toRealPath();
    } catch (IOException e) {
      return path.toAbsolutePath().normalize();
    }
  }

  /** The host owner of the workspace, whose files the container user must read and write. */
  static Owner owner(Path workspace) {
    try {
      int uid = (Integer) Files.getAttribute(workspace, "unix:uid", LinkOption.NOFOLLOW_LINKS);
      int gid = (Integer) Files.getAttribute(workspace, "unix:gid", LinkOption.NOFOLLOW_LINKS);
      return new Owner(uid, gid);
    } catch (IOException | UnsupportedOperationException e) {
      throw new InvalidSpecException(
          "cannot tell who owns workspace " + workspace + ": " + e.getMessage());
    }
  }

  record Owner(int uid, int gid) {}
}
