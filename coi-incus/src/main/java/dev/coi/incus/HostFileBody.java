package dev.coi.incus;

import dev.coi.api.CoiException;
import dev.coi.hostfs.HostDir;
import dev.coi.incus.transport.RequestBody;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;

/**
 * A host file as a request body, streamed from disk. A file in a directory the container may write
 * is opened once, through its directory's handle, before any round trip, and read from that open
 * file only: nothing swapped in meanwhile is ever opened. The length is taken when the body is
 * made; a file that shrinks before it is sent fails the request, one that grows is sent as it was.
 */
final class HostFileBody implements RequestBody, AutoCloseable {
  private static final int BUFFER = 64 * 1024;

  private final String file;
  private final SeekableByteChannel channel;
  private final long length;

  private HostFileBody(String file, SeekableByteChannel channel) throws IOException {
    this.file = file;
    this.channel = channel;
    this.length = channel.size();
  }

  /** The regular file {@code name} of an open directory; a link or a fifo there is refused. */
  static HostFileBody open(HostDir dir, String name) {
    String file = dir.path().resolve(name).toString();
    try {
      return new HostFileBody(file, dir.openFile(name));
    } catch (IOException e) {
      throw new CoiException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** A host file, following no link on any component of its path. */
  static HostFileBody open(Path file) {
    Path absolute = file.toAbsolutePath().normalize();
    try (HostDir dir = HostDir.openNoFollow(absolute.getParent())) {
      return open(dir, absolute.getFileName().toString());
    } catch (IOException e) {
      throw new CoiException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** A file the caller trusts by path (an image it exported itself), opened as it is sent. */
  static RequestBody trusted(Path file) {
    return new RequestBody() {
      @Override
      public long length() {
        try {
          return java.nio.file.Files.size(file);
        } catch (IOException e) {
          throw new CoiException("cannot read " + file + ": " + e, e);
        }
      }

      @Override
      public void writeTo(OutputStream out) throws IOException {
        try (HostFileBody body = new HostFileBody(file.toString(), channel(file))) {
          body.writeTo(out);
        }
      }
    };
  }

  private static SeekableByteChannel channel(Path file) {
    try {
      return java.nio.file.Files.newByteChannel(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public long length() {
    return length;
  }

  /** Writes the file from its start (again, should the request be sent again). */
  @Override
  public void writeTo(OutputStream out) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
    long remaining = length;
    read(() -> channel.position(0));
    while (remaining > 0) {
      buffer.clear();
      buffer.limit((int) Math.min(BUFFER, remaining));
      int n = read(() -> channel.read(buffer));
      if (n < 0) {
        throw new UncheckedIOException(
            new IOException(
                file + " shrank while it was being sent (" + length + " bytes before)"));
      }
      out.write(buffer.array(), 0, n);
      remaining -= n;
    }
  }

  private interface Read<T> {
    T call() throws IOException;
  }

  /** Read errors are unchecked, to tell them from the connection's. */
  private <T> T read(Read<T> read) {
    try {
      return read.call();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // Only read from: nothing lost.
    }
  }
}
