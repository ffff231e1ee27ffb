package dev.coi.incus.backend;

import dev.coi.api.NotFoundException;
import dev.coi.incus.FileContent;
import dev.coi.incus.InstanceFiles;
import dev.coi.incus.PushPolicy;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The backend's file operations over the client's {@link InstanceFiles}, which does the tree work
 * (one implementation, link-proof on the host through coi-hostfs): this adds only what the SPI
 * promises beyond it, a missing path as an empty answer.
 */
final class ContainerFiles {
  private final InstanceFiles files;

  ContainerFiles(InstanceFiles files) {
    this.files = files;
  }

  /** A file's content, following a symlink; empty for a missing path or a directory. */
  Optional<byte[]> pullFile(String container, String path) {
    Optional<FileContent> pulled = pull(container, path);
    if (pulled.isPresent() && pulled.get().info().isSymlink()) {
      pulled = pull(container, pulled.get().text());
    }
    return pulled.filter(p -> p.info().isFile()).map(FileContent::content);
  }

  private Optional<FileContent> pull(String container, String path) {
    try {
      return Optional.of(files.pull(container, path));
    } catch (NotFoundException e) {
      // The same 404 may mean the container is missing: that stays an error.
      files.find(container, "/");
      return Optional.empty();
    }
  }

  /** A host file or directory into the container, missing parents made (0755, uid:gid). */
  void pushTree(String container, Path source, String target, int uid, int gid) {
    files.pushTree(container, source, target, PushPolicy.owner(uid, gid));
  }

  /** A container file or directory to a host path that must not exist yet. */
  void pullTree(String container, String source, Path target) {
    files.pullTo(container, source, target);
  }
}
