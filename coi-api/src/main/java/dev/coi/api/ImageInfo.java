package dev.coi.api;

import dev.coi.api.value.ValueStyle;
import java.util.List;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * An image the backend holds, as {@link Sessions#images()} lists it.
 *
 * <pre>{@code
 * for (ImageInfo i : Sessions.images()) {
 *   System.out.println(i.aliases() + " " + i.fingerprint().substring(0, 12) + " " + i.size());
 * }
 * }</pre>
 */
@Value.Immutable
@ValueStyle
public abstract class ImageInfo {
  ImageInfo() {}

  /** Its names, such as {@code coi-sandbox}; empty for an unnamed image. */
  public abstract List<String> aliases();

  /** The backend's identifier of its content (for Incus, the SHA-256 fingerprint). */
  public abstract String fingerprint();

  /** Its size in bytes. */
  public abstract long size();

  /** Its description, when it has one. */
  public abstract Optional<String> description();

  /** True for one of coi's images: an alias starting with {@code coi-}. */
  public boolean isCoi() {
    return aliases().stream().anyMatch(a -> a.startsWith("coi-"));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds an {@link ImageInfo}; for backends. */
  public static class Builder extends ImmutableImageInfo.Builder {
    Builder() {}
  }
}
