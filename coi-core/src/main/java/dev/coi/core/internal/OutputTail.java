package dev.coi.core.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** The last lines of a build's output, for the error that ends it. Thread-safe. */
final class OutputTail {
  static final int LINES = 20;
  private final Deque<String> lines = new ArrayDeque<>();

  synchronized void add(String line) {
    if (lines.size() == LINES) {
      lines.removeFirst();
    }
    lines.addLast(line);
  }

  synchronized List<String> lines() {
    return List.copyOf(lines);
  }
}
