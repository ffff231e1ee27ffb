package dev.coi.incus;

import dev.coi.api.value.ValueStyle;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * A path pulled from an instance: its {@link FileInfo} and what it holds. A file gives its bytes, a
 * directory the names in it, a symlink where it leads.
 */
@Value.Immutable
@ValueStyle
public abstract class FileContent {
  FileContent() {}

  public abstract FileInfo info();

  /**
   * A file's bytes; for a symlink, the absolute path it resolves to in the instance (the daemon
   * resolves relative targets); empty for a directory.
   */
  @SuppressWarnings("mutable") // Immutables copies arrays in and out
  public abstract byte[] content();

  /** The names in a directory (no {@code .} or {@code ..}); empty for anything else. */
  public abstract List<String> entries();

  /** The content decoded as UTF-8. */
  public String text() {
    return new String(content(), StandardCharsets.UTF_8);
  }

  /** Where a symlink leads, as an absolute path in the instance; empty for anything else. */
  public Optional<String> linkTarget() {
    return info().isSymlink() ? Optional.of(text()) : Optional.empty();
  }
}
