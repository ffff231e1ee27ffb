package dev.coi.incus;

import com.fasterxml.jackson.databind.JsonNode;
import dev.coi.incus.transport.BlockFilterInputStream;
import dev.coi.incus.transport.HttpRequest;
import dev.coi.incus.transport.HttpResponse;
import dev.coi.incus.transport.StreamedResponse;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A path of an instance being pulled, its content read as a stream: a file of any size passes
 * through a small buffer, never through memory whole. Close it; a file read to its end lets the
 * connection be reused.
 *
 * <pre>{@code
 * try (FileStream pulled = client.files().open("demo", "/var/log/big.log");
 *     OutputStream out = java.nio.file.Files.newOutputStream(target)) {
 *   pulled.content().transferTo(out);
 * }
 * }</pre>
 *
 * <p>The whole pull must finish within {@link #TIMEOUT} (one hour). A read that fails for the
 * daemon's sake (the connection broke, the deadline passed) throws an {@link IOException} whose
 * message is coi's one-line error and whose cause is the {@link dev.coi.api.CoiException}.
 */
public final class FileStream implements AutoCloseable {
  /** How long a streamed pull may take, from the request to the last byte. */
  public static final Duration TIMEOUT = Duration.ofHours(1);

  /** Directory listings and error envelopes are small; more is not the daemon. */
  private static final long MAX_SMALL_ANSWER = 16L * 1024 * 1024;

  private final FileInfo info;
  private final List<String> entries;
  private final InputStream content;
  private final StreamedResponse response;

  private FileStream(
      FileInfo info, List<String> entries, InputStream content, StreamedResponse response) {
    this.info = info;
    this.entries = entries;
    this.content = content;
    this.response = response;
  }

  static FileStream open(Rest rest, String instance, String path) {
    InstanceFiles.checkPath(path);
    HttpRequest request =
        new HttpRequest(
            "GET", InstanceFiles.filesPath(instance, path), Map.of(), new byte[0], TIMEOUT);
    StreamedResponse response = rest.open(request);
    try {
      if (response.status() / 100 != 2) {
        HttpResponse error = rest.buffer(response, MAX_SMALL_ANSWER, request);
        throw InstanceFiles.failure(error, instance, path, request, "no such file or directory");
      }
      if ("directory".equals(response.header("X-Incus-Type"))) {
        HttpResponse listing = rest.buffer(response, MAX_SMALL_ANSWER, request);
        JsonNode names = Rest.metadata(listing, request.describe());
        List<String> entries = new ArrayList<>();
        names.forEach(name -> entries.add(name.asText()));
        return new FileStream(
            FileInfo.fromHeaders(path, listing, 0), entries, InputStream.nullInputStream(), null);
      }
      boolean file = "file".equals(response.header("X-Incus-Type"));
      String length = response.header("Content-Length");
      long size = file && length != null ? Long.parseLong(length.trim()) : 0;
      return new FileStream(
          FileInfo.fromHeaders(path, response::header, size),
          List.of(),
          new Mapped(
              response.body(),
              e -> IncusErrors.fromTransport(e, rest.transport(), request.describe())),
          response);
    } catch (RuntimeException e) {
      closeQuietly(response);
      throw e;
    }
  }

  /** The path's type, owner and mode; a file's size as the daemon announced it. */
  public FileInfo info() {
    return info;
  }

  /** A directory's entry names; empty for anything else. */
  public List<String> entries() {
    return entries;
  }

  /**
   * A file's content, or a symlink's target; empty for a directory. Read it once. Failures to read
   * are {@link IOException}s whose message says what the daemon did.
   */
  public InputStream content() {
    return content;
  }

  @Override
  public void close() {
    if (response != null) {
      closeQuietly(response);
    }
  }

  private static void closeQuietly(StreamedResponse response) {
    try {
      response.close();
    } catch (IOException ignored) {
      // Dropping a connection we are done with.
    }
  }

  /** The body, its failures carrying the message coi gives them elsewhere ({@code mapping}'s). */
  private static final class Mapped extends BlockFilterInputStream {
    private final Function<IOException, RuntimeException> mapping;

    Mapped(InputStream in, Function<IOException, RuntimeException> mapping) {
      super(in);
      this.mapping = mapping;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return in.read(b, off, len);
      } catch (IOException e) {
        RuntimeException mapped = mapping.apply(e);
        throw new IOException(mapped.getMessage(), mapped);
      }
    }
  }
}
