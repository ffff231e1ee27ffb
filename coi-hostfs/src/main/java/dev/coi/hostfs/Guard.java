package dev.coi.hostfs;

import java.io.IOException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Keeps an open of a directory entry from blocking on a fifo. Java cannot open with {@code
 * O_NONBLOCK}, and an entry seen as a file or a directory may have been swapped for a fifo by the
 * time it is opened: an open for reading then waits for a writer that never comes. While an open is
 * under way, a watchdog opens the same name read-write through the same handle (never blocking on a
 * fifo, and a writer for the waiting reader), which releases the open; the caller then finds a
 * non-regular file and skips it. Releasing a regular file or a directory this way changes nothing.
 */
final class Guard {
  private static final long PERIOD_MILLIS = 200;

  private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

  /** One daemon thread, there only while opens are under way (gone a second after the last). */
  private static ScheduledThreadPoolExecutor watchdog() {
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "coi-hostfs-fifo-watchdog");
              t.setDaemon(true);
              return t;
            });
    executor.setRemoveOnCancelPolicy(true);
    executor.setKeepAliveTime(1, TimeUnit.SECONDS);
    executor.allowCoreThreadTimeOut(true);
    return executor;
  }

  /** An open that may block. */
  interface Open<T> {
    T call() throws IOException;
  }

  private Guard() {}

  static <T> T open(SecureDirectoryStream<Path> dir, Path name, Open<T> open) throws IOException {
    ScheduledFuture<?> watchdog =
        WATCHDOG.scheduleWithFixedDelay(
            () -> release(dir, name), PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    try {
      return open.call();
    } finally {
      watchdog.cancel(false);
    }
  }

  private static void release(SecureDirectoryStream<Path> dir, Path name) {
    try {
      dir.newByteChannel(
              name,
              Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS))
          .close();
    } catch (IOException | RuntimeException e) {
      // A directory, a file it may not write, a link, or gone: nothing was waiting on a fifo there.
    }
  }
}
