package dev.coi.api;

/**
 * Hears an image build as it goes. Called on the building thread; keep it quick.
 *
 * <pre>{@code
 * BuildListener printing = new BuildListener() {
 *   public void step(BuildStep step, String detail) { System.err.println(step + ": " + detail); }
 *   public void output(String line) { System.err.println(line); }
 * };
 * }</pre>
 */
public interface BuildListener {
  /** Ignores everything. */
  BuildListener NONE = new BuildListener() {};

  /** A step begins; {@code detail} says on what, for a person. */
  default void step(BuildStep step, String detail) {}

  /** One line the recipe wrote (stdout or stderr), without its line end. */
  default void output(String line) {}

  /**
   * How far a transfer of the current step has got: {@code done} of {@code total} units, {@code
   * total} -1 when unknown; {@code unit} is {@code "bytes"} or {@code "%"}.
   */
  default void progress(long done, long total, String unit) {}
}
