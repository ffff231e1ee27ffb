package dev.coi.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Feeds a command's stdin from coi's own input as it comes, on a thread of its own, and ends the
 * command's input at the end of coi's. Memory stays flat whatever the size: one buffer, each chunk
 * written (and so waited for by the socket) before the next is read.
 */
final class InputPump {
  private InputPump() {}

  /**
   * Starts copying {@code from} to {@code to} and closes {@code to} at the end of {@code from}. A
   * command that stops reading (it ended, as {@code head} does) ends the copy quietly, as a pipe's
   * writer would be ended by SIGPIPE.
   */
  static Thread start(InputStream from, OutputStream to, String threadName) {
    Thread pump =
        new Thread(
            () -> {
              try (to) {
                byte[] buffer = new byte[64 * 1024];
                for (int n = from.read(buffer); n >= 0; n = from.read(buffer)) {
                  to.write(buffer, 0, n);
                  to.flush();
                }
              } catch (IOException commandGoneOrInputBroken) {
                // Nothing reads any more, or coi's own input failed: the command goes on with
                // what it had, and its exit code says the rest.
              }
            },
            threadName);
    // Never holds coi up: a read of a terminal or a slow pipe may block until the user types.
    pump.setDaemon(true);
    pump.start();
    return pump;
  }
}
