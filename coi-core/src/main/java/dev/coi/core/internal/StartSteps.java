package dev.coi.core.internal;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Runs the steps of a session's start in order and, when one fails, undoes the steps done so far in
 * reverse order: a step that failed undoes nothing of its own (it either made nothing or cleaned up
 * after itself), every step before it is undone. Once the session exists it owns all that the steps
 * made, and {@link #handOver} replaces their undos by the one that ends the session.
 *
 * <pre>{@code
 * StartSteps steps = new StartSteps();
 * try {
 *   steps.run(this::stage, this::unstage);
 *   steps.run(this::create, this::uncreate);
 *   return session;
 * } catch (RuntimeException e) {
 *   throw steps.undo(e);
 * }
 * }</pre>
 */
final class StartSteps {
  private final Deque<Runnable> undos = new ArrayDeque<>();

  /** Runs {@code step}; once it has succeeded, {@code undo} is what undoes it. */
  void run(Runnable step, Runnable undo) {
    step.run();
    undos.push(undo);
  }

  /** From now on the session owns what the steps made: undoing the start is {@code end}. */
  void handOver(Runnable end) {
    undos.clear();
    undos.push(end);
  }

  /**
   * Undoes the steps done, the last first; an undo that fails does not stop the others and is added
   * to {@code cause} as suppressed.
   *
   * @return {@code cause}, to be thrown
   */
  RuntimeException undo(RuntimeException cause) {
    while (!undos.isEmpty()) {
      try {
        undos.pop().run();
      } catch (RuntimeException failed) {
        cause.addSuppressed(failed);
      }
    }
    return cause;
  }
}
