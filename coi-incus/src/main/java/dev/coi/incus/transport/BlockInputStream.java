package dev.coi.incus.transport;

import java.io.IOException;
import java.io.InputStream;

/**
 * An input stream whose every read goes through {@link #read(byte[], int, int)}, so that a
 * deadline, a limit or an error mapping written there holds for a one-byte read too.
 *
 * <pre>{@code
 * InputStream counted = new BlockInputStream() {
 *   public int read(byte[] b, int off, int len) throws IOException { return in.read(b, off, len); }
 * };
 * }</pre>
 */
public abstract class BlockInputStream extends InputStream {
  @Override
  public final int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
  }

  @Override
  public abstract int read(byte[] b, int off, int len) throws IOException;
}
