package dev.coi.api.spi;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A backend's image store, as an image build needs it: look images up, publish a stopped container
 * as an image, point a name at an image, delete one. Offered by {@link
 * ContainerBackend#imageStore()}.
 *
 * <p>Errors are {@link dev.coi.api.CoiException}s, as in {@link ContainerBackend}.
 */
public interface ImageStore {

  /** The image an alias or fingerprint names; empty when there is none. */
  Optional<ImageInfo> find(String aliasOrFingerprint);

  /** Every image in the store. */
  List<ImageInfo> list();

  /**
   * Makes an image of the stopped {@code container}, with these properties and the alias {@code
   * versionAlias}, and returns its fingerprint. The listener hears progress as {@code (done, total,
   * unit)} with total -1 when unknown. Throws {@link dev.coi.api.NotFoundException} when there is
   * no such container, {@link dev.coi.api.ConflictException} when the alias is taken or the same
   * image is there already (a store may name an image by its content: give each publish a property
   * of its own).
   */
  String publish(
      String container, String versionAlias, Map<String, String> properties, Progress listener);

  /**
   * Points {@code alias} at the image {@code fingerprint} in one step, creating the alias when
   * there is none: a client looking it up meanwhile sees the old image or the new one, never none.
   */
  void pointAlias(String alias, String fingerprint);

  /** Deletes an image with its aliases; no error when it is already gone. */
  void delete(String fingerprint);

  /** Hears how far a publish has got. */
  @FunctionalInterface
  interface Progress {
    Progress NONE = (done, total, unit) -> {};

    /**
     * {@code done} of {@code total} (-1: unknown) {@code unit}s, {@code "bytes"} or {@code "%"}.
     */
    void progress(long done, long total, String unit);
  }
}
