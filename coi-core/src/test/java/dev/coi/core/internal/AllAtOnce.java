package dev.coi.core.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/** Races for tests: the same task on many threads, held back until all are submitted. */
final class AllAtOnce {
  private AllAtOnce() {}

  /** Submits {@code n} runs of {@code task}, then lets them all go together. */
  static <T> List<Future<T>> start(ExecutorService threads, int n, Callable<T> task) {
    CountDownLatch go = new CountDownLatch(1);
    List<Future<T>> started = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      started.add(
          threads.submit(
              () -> {
                go.await();
                return task.call();
              }));
    }
    go.countDown();
    return started;
  }
}
