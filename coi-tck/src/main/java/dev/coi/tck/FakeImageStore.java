package dev.coi.tck;

import dev.coi.api.ConflictException;
import dev.coi.api.NotFoundException;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerStatus;
import dev.coi.api.spi.ImageInfo;
import dev.coi.api.spi.ImageStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * The in-memory image store of {@link FakeContainerBackend}: images published from its stopped
 * containers, with aliases, properties and creation times; a published image can be the image of a
 * new fake container. Passes {@link ImageStoreChecks}.
 */
public final class FakeImageStore implements ImageStore {
  private final Function<String, Optional<ContainerInfo>> containers;
  private final Map<String, ImageInfo> images = new LinkedHashMap<>();
  private final Map<String, String> aliases = new LinkedHashMap<>();
  private long clock;

  FakeImageStore(Function<String, Optional<ContainerInfo>> containers, Iterable<String> initial) {
    this.containers = containers;
    for (String alias : initial) {
      String fingerprint = newFingerprint();
      images.put(fingerprint, image(fingerprint, Map.of(), Instant.EPOCH));
      aliases.put(alias, fingerprint);
    }
  }

  /** True when an alias or fingerprint names an image here. */
  synchronized boolean has(String aliasOrFingerprint) {
    return fingerprintOf(aliasOrFingerprint).isPresent();
  }

  @Override
  public synchronized Optional<ImageInfo> find(String aliasOrFingerprint) {
    return fingerprintOf(aliasOrFingerprint).map(fp -> withAliases(images.get(fp)));
  }

  @Override
  public synchronized List<ImageInfo> list() {
    List<ImageInfo> all = new ArrayList<>();
    images.values().forEach(i -> all.add(withAliases(i)));
    return all;
  }

  @Override
  public String publish(
      String container, String versionAlias, Map<String, String> properties, Progress listener) {
    // Asked before taking this store's lock: the backend takes its own lock, then this one.
    ContainerInfo source =
        containers
            .apply(container)
            .orElseThrow(() -> new NotFoundException("container " + container + " not found"));
    if (source.status() != ContainerStatus.STOPPED) {
      throw new ConflictException("container " + container + " must be stopped to publish it");
    }
    String fingerprint = newFingerprint();
    synchronized (this) {
      if (aliases.containsKey(versionAlias)) {
        throw new ConflictException("alias " + versionAlias + " already exists");
      }
      // Strictly increasing times, as a real store's clock gives builds seconds apart.
      Instant created = Instant.ofEpochSecond(1_700_000_000L + clock++);
      images.put(fingerprint, image(fingerprint, properties, created));
      aliases.put(versionAlias, fingerprint);
    }
    listener.progress(100, 100, "%");
    return fingerprint;
  }

  @Override
  public synchronized void pointAlias(String alias, String fingerprint) {
    if (!images.containsKey(fingerprint)) {
      throw new NotFoundException("image " + fingerprint + " not found");
    }
    aliases.put(alias, fingerprint);
  }

  @Override
  public synchronized void delete(String fingerprint) {
    images.remove(fingerprint);
    aliases.values().removeIf(fingerprint::equals);
  }

  private Optional<String> fingerprintOf(String aliasOrFingerprint) {
    String fingerprint = aliases.getOrDefault(aliasOrFingerprint, aliasOrFingerprint);
    return images.containsKey(fingerprint) ? Optional.of(fingerprint) : Optional.empty();
  }

  private ImageInfo withAliases(ImageInfo image) {
    List<String> names = new ArrayList<>();
    aliases.forEach(
        (alias, fp) -> {
          if (fp.equals(image.fingerprint())) {
            names.add(alias);
          }
        });
    return ImageInfo.builder().from(image).aliases(names).build();
  }

  private static ImageInfo image(String fingerprint, Map<String, String> properties, Instant at) {
    return ImageInfo.builder()
        .fingerprint(fingerprint)
        .properties(properties)
        .size(1024)
        .created(at)
        .build();
  }

  private static String newFingerprint() {
    return (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
  }
}
