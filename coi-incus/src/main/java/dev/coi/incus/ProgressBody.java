package dev.coi.incus;

import dev.coi.incus.transport.BlockFilterOutputStream;
import dev.coi.incus.transport.RequestBody;
import java.io.IOException;
import java.io.OutputStream;

/** A request body that tells a {@link ProgressListener} how much of it has been sent. */
final class ProgressBody implements RequestBody {
  static final String STAGE = "upload";
  // Often enough for a progress bar, rare enough not to slow a fast local socket.
  private static final long REPORT_EVERY = 1024 * 1024;

  private final RequestBody body;
  private final ProgressListener listener;

  ProgressBody(RequestBody body, ProgressListener listener) {
    this.body = body;
    this.listener = listener;
  }

  @Override
  public long length() {
    return body.length();
  }

  @Override
  public void writeTo(OutputStream out) throws IOException {
    long total = body.length();
    listener.progress(0, total, STAGE);
    body.writeTo(
        new BlockFilterOutputStream(out) {
          private long sent;
          private long reported;

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            sent += len;
            if (sent - reported >= REPORT_EVERY || sent == total) {
              reported = sent;
              listener.progress(sent, total, STAGE);
            }
          }

          @Override
          public void close() {
            // The connection outlives the body.
          }
        });
  }
}
