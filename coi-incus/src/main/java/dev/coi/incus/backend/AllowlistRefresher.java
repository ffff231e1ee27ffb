package dev.coi.incus.backend;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs the refresh of each container this program follows, each on its own schedule (the delay its
 * last refresh returned), on one daemon thread that exists only while some container is followed:
 * unfollowing the last one, or closing, ends it. A refresh under way is let finish (never
 * interrupted: an interrupted request would read as a failed update and stop the container), and
 * {@link #close()} waits for it, so no thread of it outlives the close.
 */
final class AllowlistRefresher implements AutoCloseable {
  /** How long ending waits for a refresh under way (a few daemon requests and DNS queries). */
  static final Duration FINISH = Duration.ofSeconds(30);

  static final String THREAD = "coi-allowlist-refresh";

  private final Map<String, Follow> followed = new HashMap<>();
  private ScheduledExecutorService thread;

  /** One container's refreshes; its next one, once scheduled. */
  private final class Follow implements Runnable {
    final String container;
    final AllowlistRefresh refresh;
    ScheduledFuture<?> next;

    Follow(String container, AllowlistRefresh refresh) {
      this.container = container;
      this.refresh = refresh;
    }

    @Override
    public void run() {
      Duration delay;
      try {
        delay = refresh.refresh();
      } catch (RuntimeException stopped) {
        unfollow(container, this); // fail closed: the refresh has stopped the container
        return;
      }
      schedule(this, delay);
    }
  }

  /**
   * Refreshes the container's allowlist after {@code first}, then on every TTL, until unfollowed.
   */
  synchronized void follow(String container, AllowlistRefresh refresh, Duration first) {
    if (thread == null) {
      ScheduledThreadPoolExecutor one =
          new ScheduledThreadPoolExecutor(
              1,
              r -> {
                Thread t = new Thread(r, THREAD);
                t.setDaemon(true);
                return t;
              });
      // Once ended, nothing waiting runs: the thread ends as soon as a refresh under way has.
      one.setRemoveOnCancelPolicy(true);
      one.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
      thread = one;
    }
    Follow follow = new Follow(container, refresh);
    Follow before = followed.put(container, follow);
    if (before != null && before.next != null) {
      before.next.cancel(false);
    }
    schedule(follow, first);
  }

  synchronized boolean follows(String container) {
    return followed.containsKey(container);
  }

  private synchronized void schedule(Follow follow, Duration delay) {
    if (followed.get(follow.container) == follow && thread != null) {
      follow.next = thread.schedule(follow, delay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Ends the container's refreshes; the thread too when it was the last. */
  void unfollow(String container) {
    ScheduledExecutorService ending;
    synchronized (this) {
      Follow follow = followed.get(container);
      if (follow == null) {
        return;
      }
      ending = end(follow);
    }
    awaitEnd(ending);
  }

  private void unfollow(String container, Follow follow) {
    synchronized (this) {
      if (followed.get(container) == follow) {
        end(follow); // on the refresher's own thread: nothing to wait for
      }
    }
  }

  /** Removes a follow; returns the thread to wait for when none is left. */
  private synchronized ScheduledExecutorService end(Follow follow) {
    followed.remove(follow.container);
    if (follow.next != null) {
      follow.next.cancel(false);
    }
    if (!followed.isEmpty() || thread == null) {
      return null;
    }
    ScheduledExecutorService ending = thread;
    thread = null;
    ending.shutdown();
    return ending;
  }

  /** Ends every refresh and the thread, waiting for a refresh under way. */
  @Override
  public void close() {
    ScheduledExecutorService ending;
    synchronized (this) {
      followed.values().stream().filter(f -> f.next != null).forEach(f -> f.next.cancel(false));
      followed.clear();
      ending = thread;
      thread = null;
      if (ending != null) {
        ending.shutdown();
      }
    }
    awaitEnd(ending);
  }

  /** Whether the refresh thread runs now (for tests). */
  synchronized boolean running() {
    return thread != null;
  }

  private static void awaitEnd(ScheduledExecutorService ending) {
    if (ending == null || Thread.currentThread().getName().equals(THREAD)) {
      return;
    }
    try {
      ending.awaitTermination(FINISH.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
