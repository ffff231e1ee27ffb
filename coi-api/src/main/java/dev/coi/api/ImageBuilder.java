package dev.coi.api;

/**
 * The link between {@link Images} and the engine that builds images ({@code coi-core} provides the
 * one implementation, found with {@link java.util.ServiceLoader}). Users never implement or call
 * it.
 */
public interface ImageBuilder {

  /** See {@link Images#build(ImageBuild)}. */
  BuildResult build(ImageBuild build);

  /** Higher wins when several builders are on the class path. */
  default int priority() {
    return 0;
  }
}
