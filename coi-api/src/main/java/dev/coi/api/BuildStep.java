package dev.coi.api;

/**
 * The steps of an image build, in order; an {@link ImageBuildException} names the one that failed.
 */
public enum BuildStep {
  /** Reading the recipe, finding the base image, comparing with the current version. */
  CHECK("check"),
  /** Creating and starting the build container from the base image. */
  LAUNCH("launch"),
  /** Downloading, on the host, the packages the recipe asks for. */
  FETCH("fetch"),
  /** Copying the recipe and its inputs into the build container. */
  PUSH("push"),
  /** Running the recipe as root in the build container. */
  RUN("run"),
  /** Stopping the build container. */
  STOP("stop"),
  /** Making the new image version of the stopped container. */
  PUBLISH("publish"),
  /** Pointing the image's name at the new version. */
  ALIAS("alias"),
  /** Deleting versions beyond the number kept. */
  PRUNE("prune");

  private final String label;

  BuildStep(String label) {
    this.label = label;
  }

  /** The step's name as users see it: {@code run}, {@code publish}. */
  public String label() {
    return label;
  }
}
