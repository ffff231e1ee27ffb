package dev.coi.incus;

/**
 * Hears how far a long transfer or operation has got, such as an image upload or publish. Called on
 * the thread doing the work; keep it quick.
 *
 * <pre>{@code
 * String fp = client.images().importUnified(tarball, Optional.of("my-image"),
 *     (done, total, stage) -> System.err.printf("%s %d/%d%n", stage, done, total));
 * }</pre>
 */
@FunctionalInterface
public interface ProgressListener {
  /** Ignores every report. */
  ProgressListener NONE = (done, total, stage) -> {};

  /**
   * Reports progress: {@code done} units of {@code total}, or of an unknown total when it is -1.
   *
   * @param stage {@code "upload"} for bytes sent by this client; otherwise the daemon's own stage
   *     name, such as {@code "create_image_from_container_pack"}, counted in percent (total 100) or
   *     in bytes processed (total -1)
   */
  void progress(long done, long total, String stage);
}
