package dev.coi.incus;

import dev.coi.api.value.ValueStyle;
import java.nio.file.Path;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * The files of an exported image: one unified tarball, or a split image's metadata and rootfs
 * tarballs. Either form imports back with {@link Images#importUnified} or {@link
 * Images#importSplit}.
 */
@Value.Immutable
@ValueStyle
public abstract class ImageFiles {
  ImageFiles() {}

  /** The unified tarball, or a split image's metadata tarball. */
  public abstract Path metadata();

  /** A split image's rootfs; empty for a unified image. */
  public abstract Optional<Path> rootfs();

  public boolean isSplit() {
    return rootfs().isPresent();
  }
}
