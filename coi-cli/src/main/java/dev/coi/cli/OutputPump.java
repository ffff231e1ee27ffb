package dev.coi.cli;

import dev.coi.api.RunningCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Passes a running command's output on as it comes, byte for byte: stdout on the caller's thread,
 * stderr on a second one, since a command blocks once either stream is left unread. A failure of
 * either stream is reported by {@link #relay} on the caller's thread, never by the relay thread
 * itself (whose uncaught exception would print a stack trace).
 */
final class OutputPump {
  private OutputPump() {}

  /** Relays both streams to their ends and returns the command's exit code. */
  static int relay(RunningCommand command, OutputStream out, OutputStream err, String program)
      throws IOException {
    AtomicLong errBytes = new AtomicLong();
    AtomicReference<IOException> errFailure = new AtomicReference<>();
    Thread stderr =
        new Thread(
            () -> {
              try {
                errBytes.set(copy(command.stderr(), err));
              } catch (IOException e) {
                errFailure.set(e);
              }
            },
            "coi-cli-stderr");
    stderr.setDaemon(true);
    stderr.start();
    copy(command.stdout(), out);
    try {
      stderr.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while relaying stderr", e);
    }
    if (errFailure.get() != null) {
      throw errFailure.get();
    }
    int exitCode = command.waitFor();
    if (exitCode == 127 && errBytes.get() == 0) {
      // Incus itself found no such program and says nothing; say it as a shell would.
      err.write((program + ": command not found\n").getBytes(StandardCharsets.UTF_8));
      err.flush();
    }
    return exitCode;
  }

  /** Copies and flushes as data arrives, so that the user sees output as the command writes it. */
  static long copy(InputStream in, OutputStream out) throws IOException {
    byte[] buffer = new byte[16 * 1024];
    long total = 0;
    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
      out.write(buffer, 0, n);
      out.flush();
      total += n;
    }
    return total;
  }
}
