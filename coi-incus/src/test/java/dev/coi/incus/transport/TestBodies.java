package dev.coi.incus.transport;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Request bodies for tests: what they announce and what they write, chosen apart. */
public final class TestBodies {
  private TestBodies() {}

  /** How a test body writes itself. */
  public interface Writer {
    void writeTo(OutputStream out) throws IOException;
  }

  /** A body that announces {@code length} bytes and writes what {@code writer} writes. */
  public static RequestBody announcing(long length, Writer writer) {
    return new RequestBody() {
      @Override
      public long length() {
        return length;
      }

      @Override
      public void writeTo(OutputStream out) throws IOException {
        writer.writeTo(out);
      }
    };
  }

  /** {@code size} zero bytes, written in 64 KiB chunks as a file upload would be. */
  public static RequestBody zeros(long size) {
    return announcing(
        size,
        out -> {
          byte[] chunk = new byte[64 * 1024];
          for (long left = size; left > 0; left -= chunk.length) {
            out.write(chunk, 0, (int) Math.min(chunk.length, left));
          }
        });
  }

  /** The UTF-8 bytes of {@code text}, announced at their length. */
  public static RequestBody text(String text) {
    byte[] data = text.getBytes(StandardCharsets.UTF_8);
    return announcing(data.length, out -> out.write(data));
  }
}
