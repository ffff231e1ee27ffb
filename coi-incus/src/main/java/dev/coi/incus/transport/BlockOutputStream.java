package dev.coi.incus.transport;

import java.io.IOException;
import java.io.OutputStream;

/**
 * An output stream whose every write goes through {@link #write(byte[], int, int)}, with its bounds
 * checked first, so that what a subclass does there (a message per write, a wait for a channel)
 * holds for a one-byte write too: the output side of {@link BlockInputStream}.
 *
 * <pre>{@code
 * OutputStream out = new BlockOutputStream() {
 *   protected void writeBlock(byte[] b, int off, int len) throws IOException { socket.sendBinary(b, off, len); }
 * };
 * }</pre>
 */
public abstract class BlockOutputStream extends OutputStream {
  @Override
  public final void write(int b) throws IOException {
    writeBlock(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public final void write(byte[] b, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    writeBlock(b, off, len);
  }

  /** Writes {@code len} bytes of {@code b} from {@code off}, bounds already checked. */
  protected abstract void writeBlock(byte[] b, int off, int len) throws IOException;
}
