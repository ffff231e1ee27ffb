package dev.coi.incus.transport;

import java.io.IOException;
import java.io.InputStream;

/**
 * A {@link BlockInputStream} over another stream, which closing closes: the input side of {@link
 * BlockFilterOutputStream}. Unlike {@link java.io.FilterInputStream}, it passes nothing to the
 * stream under it but {@code close()}, so that every read, skip included, goes through the
 * subclass's {@link #read(byte[], int, int)}.
 *
 * <pre>{@code
 * InputStream named = new BlockFilterInputStream(in) {
 *   public int read(byte[] b, int off, int len) throws IOException {
 *     try { return in.read(b, off, len); } catch (IOException e) { throw new IOException(what + ": " + e, e); }
 *   }
 * };
 * }</pre>
 */
public abstract class BlockFilterInputStream extends BlockInputStream {
  /** The stream read from. */
  protected final InputStream in;

  protected BlockFilterInputStream(InputStream in) {
    this.in = in;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
