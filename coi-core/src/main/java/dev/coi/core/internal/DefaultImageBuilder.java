package dev.coi.core.internal;

import dev.coi.api.BackendUnavailableException;
import dev.coi.api.BuildResult;
import dev.coi.api.ConfigException;
import dev.coi.api.ImageBuild;
import dev.coi.api.ImageBuilder;
import dev.coi.api.spi.BackendSettings;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.ImageStore;
import dev.coi.core.config.Config;
import dev.coi.core.config.ConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Properties;
import java.util.function.Function;

/**
 * coi's image builder (registered for {@link java.util.ServiceLoader}): the configuration's backend
 * and {@code [build]} settings, then one {@link ImageBuildRun}.
 */
public final class DefaultImageBuilder implements ImageBuilder {
  private final Function<BackendSettings, ContainerBackend> backendFactory;
  private final ConfigLoader configLoader;
  private final Path cache;

  /** The builder of the running JVM: backends from the class path, the usual configuration. */
  public DefaultImageBuilder() {
    this(Backends::discover, ConfigLoader.standard(), HostFetch.defaultCache());
  }

  DefaultImageBuilder(
      Function<BackendSettings, ContainerBackend> backendFactory,
      ConfigLoader configLoader,
      Path cache) {
    this.backendFactory = backendFactory;
    this.configLoader = configLoader;
    this.cache = cache;
  }

  @Override
  public BuildResult build(ImageBuild build) {
    // No workspace: the system and user files and the environment decide.
    Config config = configLoader.load();
    if (config.imageBuild().keep() < 1) {
      throw new ConfigException(
          "build.keep is "
              + config.imageBuild().keep()
              + ": keep at least 1 version (the new one); set build.keep = 3, the default");
    }
    try (ContainerBackend backend =
        backendFactory.apply(Backends.settings(config.incus(), config.defaults().backend()))) {
      ImageStore store =
          backend
              .imageStore()
              .orElseThrow(
                  () ->
                      new BackendUnavailableException(
                          "the "
                              + backend.name()
                              + " backend cannot build images: use the incus backend"));
      return new ImageBuildRun(
              backend,
              store,
              build,
              config.imageBuild().base(),
              config.imageBuild().keep(),
              version(),
              cache)
          .run();
    }
  }

  /** coi's version, recorded on the images it builds. */
  static String version() {
    Properties p = new Properties();
    try (InputStream in = DefaultImageBuilder.class.getResourceAsStream("coi-version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // Then the images say "unknown"; the build itself is not affected.
    }
    return p.getProperty("version", "unknown");
  }
}
