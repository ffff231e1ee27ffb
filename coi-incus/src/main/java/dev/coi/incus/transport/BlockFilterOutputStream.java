package dev.coi.incus.transport;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A filter whose every write goes through {@link #write(byte[], int, int)}, so that a count or a
 * limit written there holds for a one-byte write too (FilterOutputStream's own bulk write would
 * call {@code write(int)} once a byte instead).
 *
 * <pre>{@code
 * OutputStream counted = new BlockFilterOutputStream(out) {
 *   public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); n += len; }
 * };
 * }</pre>
 */
public abstract class BlockFilterOutputStream extends FilterOutputStream {
  protected BlockFilterOutputStream(OutputStream out) {
    super(out);
  }

  @Override
  public final void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public abstract void write(byte[] b, int off, int len) throws IOException;
}
