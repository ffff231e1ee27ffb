package dev.coi.incus;

import dev.coi.incus.transport.WebSocket;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * An exec's standard input: each write is one binary message on fd 0's websocket, sent at once
 * (wrap it in a {@link java.io.BufferedOutputStream} for many small writes). Closing it sends the
 * daemon's end-of-input marker, an empty text message, which ends the process's stdin; on a
 * terminal, where the same socket also carries the output, the socket stays open.
 */
final class ExecProcessInput extends OutputStream {
  private final String what;
  private final WebSocket socket;
  private volatile boolean closed;

  ExecProcessInput(String what, WebSocket socket) {
    this.what = what;
    this.socket = socket;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] data, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, data.length);
    if (closed) {
      throw new IOException("the stdin of " + what + " is closed");
    }
    if (length == 0) {
      return; // an empty binary message means nothing to the daemon
    }
    try {
      socket.sendBinary(data, offset, length);
    } catch (IOException e) {
      throw new IOException(
          "cannot write to the stdin of " + what + " (has it ended?): " + e.getMessage(), e);
    }
  }

  @Override
  public void close() throws IOException {
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
}
