package dev.coi.api;

import dev.coi.api.value.ValueStyle;
import java.time.Duration;
import org.immutables.value.Value;

/**
 * What an image build did: the name, the image it now names, that version's own alias, whether the
 * build was skipped as up to date, and how long it took.
 */
@Value.Immutable
@ValueStyle
public abstract class BuildResult {
  BuildResult() {}

  /** The image's name, such as {@code coi-sandbox}. */
  public abstract String alias();

  /** The fingerprint of the image the name points at now. */
  public abstract String fingerprint();

  /** That version's own alias, {@code NAME-YYYYMMDD-HHMMSS}; empty when it has none. */
  public abstract String versionAlias();

  /** True when nothing was built: the image was up to date. */
  public abstract boolean skipped();

  public abstract Duration duration();

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link BuildResult}. */
  public static class Builder extends ImmutableBuildResult.Builder {
    Builder() {}
  }
}
