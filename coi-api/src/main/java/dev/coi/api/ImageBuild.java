package dev.coi.api;

import dev.coi.api.value.ValueStyle;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;
import org.immutables.value.Value;

/**
 * What to build: the image's name (the alias it gets), the recipe script, and optionally the base
 * image, whether to rebuild when up to date, and how many versions to keep.
 *
 * <p>The recipe is a script run as root in the build container, from {@code /coi-build}. Header
 * lines in it ask for more, each fetched or read on the host, since containers may have no network:
 * {@code # coi-build: base IMAGE} (the base when none is given), {@code # coi-build: file PATH} (a
 * host file, relative to the script, copied to {@code /coi-build/files/}), {@code # coi-build: apt
 * PKG…} (Debian packages and the dependencies the base lacks, downloaded on the host into {@code
 * /coi-build/debs/}) and {@code # coi-build: npm SPEC…} ({@code npm pack} tarballs in {@code
 * /coi-build/npm/}).
 *
 * <pre>{@code
 * ImageBuild.builder().name("my-image").script(Path.of("recipe.sh")).force(true).build();
 * }</pre>
 */
@Value.Immutable
@ValueStyle
public abstract class ImageBuild {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,47}");

  ImageBuild() {}

  /** The alias the new image gets, such as {@code coi-sandbox}; versions are {@code NAME-date}. */
  public abstract String name();

  /** The recipe: a script run as root in the build container. */
  public abstract Path script();

  /**
   * The image to build on; absent, the recipe's {@code base} header, else the configuration's
   * {@code build.base}.
   */
  public abstract Optional<String> base();

  /** Rebuild even when the image is up to date. */
  @Value.Default
  public boolean force() {
    return false;
  }

  /**
   * How many versions to keep, the new one included; absent, the configuration's {@code
   * build.keep}.
   */
  public abstract Optional<Integer> keep();

  /** Hears the steps, the recipe's output and transfer progress; ignores them by default. */
  @Value.Default
  @Value.Auxiliary
  public BuildListener listener() {
    return BuildListener.NONE;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Value.Check
  void check() {
    if (!NAME.matcher(name()).matches()) {
      throw new InvalidSpecException(
          "image name '"
              + name()
              + "' is not valid: use lower-case letters, digits and '-', starting with a letter"
              + " or digit, at most 48 characters");
    }
    if (keep().isPresent() && keep().get() < 1) {
      throw new InvalidSpecException(
          "keep must be at least 1 (the new version), not " + keep().get());
    }
    if (base().isPresent() && base().get().isBlank()) {
      throw new InvalidSpecException(
          "the base image name is empty: name an image, or leave it out");
    }
  }

  /** Builds an {@link ImageBuild}. */
  public static class Builder extends ImmutableImageBuild.Builder {
    Builder() {}
  }
}
