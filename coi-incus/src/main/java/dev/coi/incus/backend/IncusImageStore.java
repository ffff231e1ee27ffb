package dev.coi.incus.backend;

import dev.coi.api.NotFoundException;
import dev.coi.api.spi.ImageInfo;
import dev.coi.api.spi.ImageStore;
import dev.coi.incus.Image;
import dev.coi.incus.Images;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** The {@link ImageStore} of the Incus backend, over the client's {@link Images}. */
final class IncusImageStore implements ImageStore {
  private final Supplier<Images> images;

  IncusImageStore(Supplier<Images> images) {
    this.images = images;
  }

  @Override
  public Optional<ImageInfo> find(String aliasOrFingerprint) {
    return images.get().find(aliasOrFingerprint).map(IncusImageStore::info);
  }

  @Override
  public List<ImageInfo> list() {
    return images.get().list().stream().map(IncusImageStore::info).toList();
  }

  @Override
  public String publish(
      String container, String versionAlias, Map<String, String> properties, Progress listener) {
    return images
        .get()
        .publish(
            container,
            Optional.of(versionAlias),
            properties,
            (done, total, stage) -> listener.progress(done, total, total == 100 ? "%" : "bytes"));
  }

  @Override
  public void pointAlias(String alias, String fingerprint) {
    images.get().pointAlias(alias, fingerprint);
  }

  @Override
  public void delete(String fingerprint) {
    try {
      images.get().delete(fingerprint);
    } catch (NotFoundException alreadyGone) {
      // The goal is reached.
    }
  }

  private static ImageInfo info(Image image) {
    return ImageInfo.builder()
        .fingerprint(image.fingerprint())
        .aliases(image.aliases())
        .properties(image.properties())
        .size(image.size())
        .created(image.created())
        .build();
  }
}
