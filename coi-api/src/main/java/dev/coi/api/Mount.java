package dev.coi.api;

import dev.coi.api.value.ValueStyle;
import java.nio.file.Path;
import org.immutables.value.Value;

/**
 * A host directory made visible inside a session's container, such as the workspace at {@code
 * /workspace}. Files keep the host user's ownership on both sides.
 *
 * <pre>{@code
 * Mount cache = Mount.of(Path.of("/home/me/.m2"), "/home/claude/.m2").withReadOnly(true);
 * }</pre>
 */
@Value.Immutable
@ValueStyle
public abstract class Mount {
  Mount() {}

  /** The directory on the host; absolute. */
  public abstract Path source();

  /** Where it appears in the container; an absolute path. */
  public abstract String target();

  /** True to mount it read-only. */
  @Value.Default
  public boolean readOnly() {
    return false;
  }

  /** This mount, read-only or not. */
  public Mount withReadOnly(boolean readOnly) {
    return ImmutableMount.copyOf(this).withReadOnly(readOnly);
  }

  /** A read-write mount of {@code source} at {@code target}. */
  public static Mount of(Path source, String target) {
    return ImmutableMount.builder().source(source).target(target).build();
  }

  @Value.Check
  void check() {
    if (!source().isAbsolute()) {
      throw new InvalidSpecException(
          "mount source " + source() + " is relative: give an absolute host path");
    }
    if (!target().startsWith("/")) {
      throw new InvalidSpecException(
          "mount target " + target() + " is relative: give an absolute path in the container");
    }
  }
}
