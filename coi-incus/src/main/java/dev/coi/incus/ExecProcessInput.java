package dev.coi.incus;

import dev.coi.incus.transport.BlockOutputStream;
import dev.coi.incus.transport.WebSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * An exec's standard input: each write is one binary message on fd 0's websocket, sent at once
 * (wrap it in a {@link java.io.BufferedOutputStream} for many small writes). Closing it sends the
 * daemon's end-of-input marker, an empty text message, which ends the process's stdin; on a
 * terminal, where the same socket also carries the output, the socket stays open.
 *
 * <p>Until the command is known to run ({@link #confirmStarted()}), what is written is also kept,
 * up to {@value #REPLAY_LIMIT} bytes, so that an exec the daemon failed before starting its command
 * can be started again with the same input ({@link #switchTo}): the daemon reads fd 0's websocket
 * only once the command runs, so a command that never started read none of it. A write that would
 * go past the limit waits until the command is known to run ({@link RunOnce#STARTED} says so at
 * once), so that every attempt the daemon fails can be started again whatever the input's size.
 */
final class ExecProcessInput extends BlockOutputStream {
  /** How much input is kept for a retry before the command is known to run. */
  static final int REPLAY_LIMIT = 64 * 1024;

  private final String what;
  private WebSocket socket;
  private volatile boolean closed;

  /**
   * What was written while the command may not have started; null once it has, or past the limit.
   */
  private ByteArrayOutputStream replay = new ByteArrayOutputStream();

  private volatile boolean replayable = true;

  /** Waits until the command is known to run, or has ended without running. */
  private final Runnable awaitStarted;

  ExecProcessInput(String what, WebSocket socket, Runnable awaitStarted) {
    this.what = what;
    this.socket = socket;
    this.awaitStarted = awaitStarted;
  }

  @Override
  protected void writeBlock(byte[] data, int offset, int length) throws IOException {
    if (mustWait(length)) {
      // Not holding this stream: a retry switches it to the new attempt meanwhile.
      awaitStarted.run();
      stopKeeping();
    }
    send(data, offset, length);
  }

  /** True while {@code length} more bytes would pass what a retry can replay. */
  private synchronized boolean mustWait(int length) {
    return !closed && replay != null && replay.size() + (long) length > REPLAY_LIMIT;
  }

  /** The wait is over: the command runs, or has ended without running and nothing is replayed. */
  private synchronized void stopKeeping() {
    if (replay != null) {
      replay = null;
      replayable = false;
    }
  }

  private synchronized void send(byte[] data, int offset, int length) throws IOException {
    if (closed) {
      throw new IOException("the stdin of " + what + " is closed");
    }
    if (length == 0) {
      return; // an empty binary message means nothing to the daemon
    }
    keep(data, offset, length);
    try {
      socket.sendBinary(data, offset, length);
    } catch (IOException e) {
      if (replay != null) {
        // The daemon dropped an exec it could not start; the retry sends this again, and an exec
        // that is not retried reports its failure through waitFor().
        return;
      }
      throw new IOException(
          "cannot write to the stdin of " + what + " (has it ended?): " + e.getMessage(), e);
    }
  }

  private void keep(byte[] data, int offset, int length) {
    if (replay == null) {
      return;
    }
    if (replay.size() + (long) length > REPLAY_LIMIT) {
      replay = null;
      replayable = false;
      return;
    }
    replay.write(data, offset, length);
  }

  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      socket.sendText("");
    } catch (IOException e) {
      // The process has ended and its input with it: nothing is left to end.
    }
  }

  /** True while everything written so far can be written again to a new attempt. */
  boolean replayable() {
    return replayable;
  }

  /** The command runs: what it was given is its own now, and is no longer kept. */
  synchronized void confirmStarted() {
    replay = null;
  }

  /**
   * Goes on with a new attempt's fd 0: what was written before, and its end, are sent again. A send
   * that fails says nothing of the attempt: the daemon closes fd 0 of a command that has already
   * run to its end (a quick one, started while this was waiting) as well as of one it failed to
   * start, and the attempt's operation tells which (seen in a soak: a retry given up for a {@code
   * Broken pipe} here, although the command had run).
   */
  synchronized void switchTo(WebSocket next) {
    socket = next;
    try {
      if (replay != null && replay.size() > 0) {
        byte[] again = replay.toByteArray();
        next.sendBinary(again, 0, again.length);
      }
      if (closed) {
        next.sendText("");
      }
    } catch (IOException e) {
      // As for a write before the command is known to run: its operation has the last word.
    }
  }
}
