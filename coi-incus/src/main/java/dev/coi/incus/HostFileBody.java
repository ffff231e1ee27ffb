package dev.coi.incus;

import dev.coi.api.CoiException;
import dev.coi.incus.transport.RequestBody;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A host file as a request body, streamed from disk. The length is taken when the body is made; a
 * file that shrinks before it is sent fails the request, one that grows is sent as it was.
 */
final class HostFileBody implements RequestBody {
  private static final int BUFFER = 64 * 1024;

  private final Path file;
  private final long length;

  private HostFileBody(Path file, long length) {
    this.file = file;
    this.length = length;
  }

  /**
   * The body of a host file. Read errors while it is sent are unchecked, to tell them from the
   * connection's.
   */
  static HostFileBody of(Path file) {
    try {
      return new HostFileBody(file, Files.size(file));
    } catch (IOException e) {
      throw new CoiException("cannot read " + file + ": " + e, e);
    }
  }

  Path file() {
    return file;
  }

  @Override
  public long length() {
    return length;
  }

  @Override
  public void writeTo(OutputStream out) throws IOException {
    InputStream in;
    try {
      in = Files.newInputStream(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    try (in) {
      byte[] buffer = new byte[BUFFER];
      long remaining = length;
      while (remaining > 0) {
        int n = read(in, buffer, (int) Math.min(buffer.length, remaining));
        if (n < 0) {
          throw new UncheckedIOException(
              new IOException(
                  file + " shrank while it was being sent (" + length + " bytes before)"));
        }
        out.write(buffer, 0, n);
        remaining -= n;
      }
    }
  }

  private int read(InputStream in, byte[] buffer, int max) {
    try {
      return in.read(buffer, 0, max);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
