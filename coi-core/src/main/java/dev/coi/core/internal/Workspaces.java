package dev.coi.core.internal;

import dev.coi.api.InvalidSpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Checks a workspace before anything is created, and tells who owns it on the host. */
final class Workspaces {
  private Workspaces() {}

  /** The workspace as an absolute path with links resolved; a clear error when it cannot be one. */
  static Path resolve(Path workspace) {
    Path absolute = workspace.toAbsolutePath().normalize();
    if (!Files.exists(absolute)) {
      throw new InvalidSpecException(
          "workspace " + absolute + " does not exist: create it or pass an existing directory");
    }
    if (!Files.isDirectory(absolute)) {
      throw new InvalidSpecException(
          "workspace " + absolute + " is not a directory: pass the project's directory");
    }
    try {
      // Whether it is too broad to mount (the whole home, /) is SessionMounts' to say.
      return absolute.toRealPath();
    } catch (IOException e) {
      throw new InvalidSpecException(
          "workspace " + absolute + " cannot be read: " + e.getMessage());
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

  record Owner(int uid, int gid) {
    /** True for the agent user's ids, which shifted mounts map as they are. */
    boolean isAgent() {
      return uid == ContainerSession.AGENT_UID && gid == ContainerSession.AGENT_GID;
    }
  }
}
