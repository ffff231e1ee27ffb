package dev.coi.api.spi;

import dev.coi.api.value.ValueStyle;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.immutables.value.Value;

/** What an {@link ImageStore} knows of one image. */
@Value.Immutable
@ValueStyle
public abstract class ImageInfo {
  ImageInfo() {}

  public abstract String fingerprint();

  public abstract List<String> aliases();

  public abstract Map<String, String> properties();

  /** The size of the image's files in bytes. */
  public abstract long size();

  public abstract Instant created();

  public static Builder builder() {
    return new Builder();
  }

  /** Builds an {@link ImageInfo}. */
  public static class Builder extends ImmutableImageInfo.Builder {
    Builder() {}
  }
}
