package dev.coi.core.internal;

import dev.coi.api.BuildListener;
import dev.coi.api.BuildResult;
import dev.coi.api.BuildStep;
import dev.coi.api.CoiException;
import dev.coi.api.ImageBuild;
import dev.coi.api.ImageBuildException;
import dev.coi.api.RunningCommand;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.ExecSpec;
import dev.coi.api.spi.ImageInfo;
import dev.coi.api.spi.ImageStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * One image build, step by step ({@link BuildStep}): check, launch, fetch, push, run, stop,
 * publish, alias, prune. The build container is removed however the build ends, on a JVM shutdown
 * (Ctrl+C) too; the image's name moves only once the new version is published whole.
 */
final class ImageBuildRun {
  static final String PROPERTY_IMAGE = "coi.image";
  static final String PROPERTY_RECIPE = "coi.recipe";
  static final String PROPERTY_BASE = "coi.base";
  static final String PROPERTY_VERSION = "coi.version";
  static final String PROPERTY_BUILT = "coi.built";
  static final String DIR = "/coi-build";
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
  private static final DateTimeFormatter VERSION =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  /** Base image properties a new version keeps, so that it still says what system it is. */
  private static final List<String> INHERITED = List.of("os", "release", "architecture", "variant");

  private final ContainerBackend backend;
  private final ImageStore store;
  private final ImageBuild build;
  private final String configuredBase;
  private final int keep;
  private final String coiVersion;
  private final Path cache;
  private final BuildListener listener;
  private final OutputTail tail = new OutputTail();
  private BuildStep step = BuildStep.CHECK;

  ImageBuildRun(
      ContainerBackend backend,
      ImageStore store,
      ImageBuild build,
      String configuredBase,
      int keep,
      String coiVersion,
      Path cache) {
    this.backend = backend;
    this.store = store;
    this.build = build;
    this.configuredBase = configuredBase;
    this.keep = build.keep().orElse(keep);
    this.coiVersion = coiVersion;
    this.cache = cache;
    this.listener = build.listener();
  }

  BuildResult run() {
    long started = System.nanoTime();
    step(BuildStep.CHECK, build.script().toString());
    BuildRecipe recipe = BuildRecipe.read(build.script());
    String baseName = build.base().or(recipe::base).orElse(configuredBase);
    ImageInfo base =
        store
            .find(baseName)
            .orElseThrow(
                () ->
                    failure(
                        "base image '"
                            + baseName
                            + "' not found: build or import it first, or name another with"
                            + " --base (config build.base)",
                        null));
    Optional<ImageInfo> current = store.find(build.name());
    if (!build.force() && current.isPresent() && upToDate(current.get(), recipe, base)) {
      ImageInfo image = current.get();
      return BuildResult.builder()
          .alias(build.name())
          .fingerprint(image.fingerprint())
          .versionAlias(versionAliasOf(image))
          .skipped(true)
          .duration(Duration.ofNanos(System.nanoTime() - started))
          .build();
    }
    String container = "coi-build-" + UUID.randomUUID().toString().substring(0, 8);
    Thread cleanup = new Thread(() -> removeQuietly(container), "coi-build-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    String fingerprint;
    String versionAlias;
    try {
      sweepAbandonedBuilds();
      launch(container, base);
      Path staging = stage(container, recipe);
      try {
        step(BuildStep.PUSH, DIR);
        backend.pushTree(container, staging, DIR, 0, 0);
      } finally {
        deleteStaging(staging);
      }
      runRecipe(container);
      step(BuildStep.STOP, container);
      backend.shutdown(container, STOP_TIMEOUT);
      versionAlias = freeVersionAlias();
      step(BuildStep.PUBLISH, versionAlias);
      fingerprint =
          store.publish(
              container, versionAlias, properties(recipe, base, versionAlias), listener::progress);
    } catch (ImageBuildException e) {
      throw e;
    } catch (CoiException | UncheckedIOException e) {
      throw failure(e.getMessage(), e);
    } finally {
      removeQuietly(container);
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException shuttingDown) {
        // The hook runs (or ran) anyway.
      }
    }
    try {
      step(BuildStep.ALIAS, build.name() + " -> " + versionAlias);
      store.pointAlias(build.name(), fingerprint);
    } catch (CoiException e) {
      store.delete(fingerprint);
      throw failure(e.getMessage(), e);
    }
    prune(fingerprint);
    return BuildResult.builder()
        .alias(build.name())
        .fingerprint(fingerprint)
        .versionAlias(versionAlias)
        .skipped(false)
        .duration(Duration.ofNanos(System.nanoTime() - started))
        .build();
  }

  private static boolean upToDate(ImageInfo current, BuildRecipe recipe, ImageInfo base) {
    return recipe.hash().equals(current.properties().get(PROPERTY_RECIPE))
        && base.fingerprint().equals(current.properties().get(PROPERTY_BASE));
  }

  private static String versionAliasOf(ImageInfo image) {
    return image.properties().getOrDefault(PROPERTY_BUILT, "");
  }

  /** Build containers whose coi is gone (killed, so no cleanup ran) are removed. */
  private void sweepAbandonedBuilds() {
    for (ContainerInfo info : backend.list()) {
      if (ContainerLabel.BUILD.isOn(info.labels()) && !Owners.alive(info)) {
        removeQuietly(info.name());
      }
    }
  }

  private void launch(String container, ImageInfo base) {
    step(BuildStep.LAUNCH, container + " from " + base.fingerprint().substring(0, 12));
    backend.create(
        ContainerSpec.builder()
            .name(container)
            // The fingerprint, not the name: the base cannot change under the build.
            .image(base.fingerprint())
            .ephemeral(false)
            .labels(ContainerLabel.ofBuild(build.name(), Instant.now()))
            // Package managers install setuid programs (sudo, ping).
            .setidAllowed(true)
            .build());
  }

  /** A host directory holding what goes to {@link #DIR}: the recipe, its files and downloads. */
  private Path stage(String container, BuildRecipe recipe) {
    try {
      // In the cache, so that downloads are hard-linked rather than copied.
      Files.createDirectories(cache);
      Path staging = Files.createTempDirectory(cache, "staging-");
      Files.write(staging.resolve("recipe"), recipe.content());
      Files.setPosixFilePermissions(
          staging.resolve("recipe"), PosixFilePermissions.fromString("rwxr-xr-x"));
      // The bytes read (and hashed) at the check: the host path is never read again.
      for (BuildRecipe.RecipeFile file : recipe.files()) {
        Path files = Files.createDirectories(staging.resolve("files"));
        Files.write(files.resolve(file.name()), file.content(), StandardOpenOption.CREATE_NEW);
        Files.setPosixFilePermissions(
            files.resolve(file.name()),
            PosixFilePermissions.fromString(file.executable() ? "rwxr-xr-x" : "rw-r--r--"));
      }
      if (recipe.fetches()) {
        HostFetch fetch = new HostFetch(cache, listener::output, tail);
        if (!recipe.apt().isEmpty()) {
          step(BuildStep.FETCH, "apt " + String.join(" ", recipe.apt()));
          byte[] status =
              backend
                  .pullFile(container, "/var/lib/dpkg/status")
                  .orElseThrow(
                      () ->
                          failure(
                              "the base image has no /var/lib/dpkg/status: apt headers need a"
                                  + " Debian base",
                              null));
          for (Path deb : fetch.apt(recipe.apt(), status)) {
            link(deb, staging.resolve("debs"));
          }
        }
        if (!recipe.npm().isEmpty()) {
          step(BuildStep.FETCH, "npm " + String.join(" ", recipe.npm()));
          for (Path tarball : fetch.npm(recipe.npm())) {
            link(tarball, staging.resolve("npm"));
          }
        }
      }
      return staging;
    } catch (IOException e) {
      throw failure("cannot prepare the recipe's files on the host: " + e.getMessage(), e);
    }
  }

  /** A hard link where it can (downloads can be hundreds of MB), else a copy. */
  private static void link(Path file, Path dir) throws IOException {
    Files.createDirectories(dir);
    Path target = dir.resolve(file.getFileName().toString());
    try {
      Files.createLink(target, file);
    } catch (IOException | UnsupportedOperationException otherDevice) {
      Files.copy(file, target);
    }
  }

  private static void deleteStaging(Path staging) {
    try (var walk = Files.walk(staging)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // A temporary directory of ours; the OS cleans it up eventually.
    }
  }

  private void runRecipe(String container) {
    step(BuildStep.RUN, build.script().getFileName().toString());
    ExecSpec exec =
        ExecSpec.builder()
            .command(List.of(DIR + "/recipe"))
            .cwd(DIR)
            .putEnvironment("COI_BUILD_DIR", DIR)
            .putEnvironment("HOME", "/root")
            .putEnvironment("DEBIAN_FRONTEND", "noninteractive")
            .putEnvironment("LC_ALL", "C.UTF-8")
            .putEnvironment("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
            .build();
    int exit;
    try (RunningCommand running =
        ExecFailures.explainingFailure(backend, container, () -> backend.start(container, exec))) {
      running.stdin().close();
      Thread errors = new Thread(() -> relay(running.stderr()), "coi-build-stderr");
      errors.start();
      relay(running.stdout());
      exit = running.waitFor();
      errors.join();
    } catch (IOException e) {
      throw failure("lost the recipe's output: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failure("interrupted", e);
    }
    if (exit != 0) {
      throw failure("the recipe exited with code " + exit, null);
    }
    // systemd in the build container committed a machine id to /etc/machine-id: emptied, so that
    // every container of the image makes its own (an empty file, as Debian's images have it).
    backend.exec(
        container,
        ExecSpec.builder()
            .command(
                List.of(
                    "sh",
                    "-c",
                    "rm -rf " + DIR + " && if [ -s /etc/machine-id ]; then : >/etc/machine-id; fi"))
            .build());
  }

  private void relay(InputStream stream) {
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        tail.add(line);
        listener.output(line);
      }
    } catch (IOException lost) {
      tail.add("(output lost: " + lost.getMessage() + ")");
    }
  }

  /** {@code NAME-YYYYMMDD-HHMMSS}, with a counter when a build of the same second has it. */
  private String freeVersionAlias() {
    String alias = build.name() + "-" + VERSION.format(Instant.now());
    String candidate = alias;
    for (int n = 2; store.find(candidate).isPresent(); n++) {
      candidate = alias + "-" + n;
    }
    return candidate;
  }

  private Map<String, String> properties(BuildRecipe recipe, ImageInfo base, String versionAlias) {
    Map<String, String> properties = new LinkedHashMap<>();
    INHERITED.forEach(
        k -> Optional.ofNullable(base.properties().get(k)).ifPresent(v -> properties.put(k, v)));
    properties.put(
        "description", build.name() + " built by coi " + coiVersion + " (" + versionAlias + ")");
    properties.put(PROPERTY_IMAGE, build.name());
    properties.put(PROPERTY_RECIPE, recipe.hash());
    properties.put(PROPERTY_BASE, base.fingerprint());
    properties.put(PROPERTY_VERSION, coiVersion);
    // Also makes every build's image its own, even when the container's files came out the same.
    properties.put(PROPERTY_BUILT, versionAlias);
    return properties;
  }

  /** Versions of this image beyond the newest {@code keep} are deleted; a failure only warns. */
  private void prune(String fingerprint) {
    step(BuildStep.PRUNE, "keeping " + keep);
    try {
      List<ImageInfo> versions =
          store.list().stream()
              .filter(i -> build.name().equals(i.properties().get(PROPERTY_IMAGE)))
              .filter(i -> !i.fingerprint().equals(fingerprint))
              .sorted(Comparator.comparing(ImageInfo::created).reversed())
              .toList();
      for (ImageInfo old : versions.subList(Math.min(versions.size(), keep - 1), versions.size())) {
        store.delete(old.fingerprint());
      }
    } catch (CoiException e) {
      listener.output(
          "warning: could not delete old versions of " + build.name() + ": " + e.getMessage());
    }
  }

  private void removeQuietly(String container) {
    try {
      backend.delete(container);
    } catch (CoiException | UncheckedIOException e) {
      // Reported by the sweep of the next build, which removes it.
    }
  }

  private void step(BuildStep next, String detail) {
    step = next;
    listener.step(next, detail);
  }

  private ImageBuildException failure(String message, Throwable cause) {
    return new ImageBuildException(step, step.label() + ": " + message, tail.lines(), cause);
  }
}
