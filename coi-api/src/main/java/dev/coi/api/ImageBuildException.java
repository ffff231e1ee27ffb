package dev.coi.api;

import java.util.List;

/**
 * An image build failed. The message names the step; {@link #lastOutput()} holds the recipe's last
 * lines of output. The build container is gone and the image's name is unchanged.
 */
public class ImageBuildException extends CoiException {
  private static final long serialVersionUID = 1L;
  private final BuildStep step;
  private final List<String> lastOutput;

  public ImageBuildException(
      BuildStep step, String message, List<String> lastOutput, Throwable cause) {
    super(message, cause);
    this.step = step;
    this.lastOutput = List.copyOf(lastOutput);
  }

  /** The step that failed. */
  public BuildStep step() {
    return step;
  }

  /** The recipe's last lines of output (empty when it had not run). */
  public List<String> lastOutput() {
    return lastOutput;
  }
}
