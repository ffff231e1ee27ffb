package dev.coi.api;

import java.util.Comparator;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Builds container images from recipes: a shell script run as root in a container of a base image,
 * whose result is published as a new version and given the image's name. Needs {@code coi-core} and
 * a backend on the class path, as {@link Sessions} does.
 *
 * <pre>{@code
 * BuildResult r = Images.build(ImageBuild.builder()
 *     .name("my-image")
 *     .script(Path.of("recipe.sh"))
 *     .base("coi-sandbox")
 *     .build());
 * System.out.println(r.skipped() ? "up to date" : "built " + r.versionAlias());
 * }</pre>
 */
public final class Images {
  private Images() {}

  /**
   * Builds the image unless it is up to date (same recipe, same base image), and returns what was
   * done. On any failure, or an interrupt, the build container is removed and the image's name
   * still names the previous version: an {@link ImageBuildException} names the step and carries the
   * recipe's last output lines.
   */
  public static BuildResult build(ImageBuild build) {
    return BuilderHolder.BUILDER
        .orElseThrow(
            () ->
                new CoiException(
                    "no coi image builder on the class path: add the dev.coi:coi-core dependency"))
        .build(build);
  }

  /** Loaded once, on first use. */
  private static final class BuilderHolder {
    static final Optional<ImageBuilder> BUILDER =
        ServiceLoader.load(ImageBuilder.class, Images.class.getClassLoader()).stream()
            .map(ServiceLoader.Provider::get)
            .max(Comparator.comparingInt(ImageBuilder::priority));
  }
}
