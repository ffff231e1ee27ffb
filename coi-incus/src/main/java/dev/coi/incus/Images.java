package dev.coi.incus;

import dev.coi.api.NotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Images in the daemon's store, and their aliases. */
public final class Images {
  private final Rest rest;

  Images(Rest rest) {
    this.rest = rest;
  }

  /** The image an alias or fingerprint names. */
  public Image get(String aliasOrFingerprint) {
    String fingerprint = aliasOrFingerprint;
    try {
      fingerprint =
          rest.get("/1.0/images/aliases/" + Rest.encode(aliasOrFingerprint))
              .path("target")
              .asText();
    } catch (NotFoundException notAnAlias) {
      // Then it may be a fingerprint, or its prefix.
    }
    return Image.of(rest.get("/1.0/images/" + Rest.encode(fingerprint)));
  }

  public Optional<Image> find(String aliasOrFingerprint) {
    try {
      return Optional.of(get(aliasOrFingerprint));
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }

  public List<Image> list() {
    List<Image> images = new ArrayList<>();
    rest.get("/1.0/images?recursion=1").forEach(json -> images.add(Image.of(json)));
    return images;
  }
}
