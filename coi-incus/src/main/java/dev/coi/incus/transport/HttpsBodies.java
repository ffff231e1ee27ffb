package dev.coi.incus.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpResponse.ResponseInfo;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/** The {@code java.net.http} body handlers of {@link HttpsTransport}, which keep its limits. */
final class HttpsBodies {
  private HttpsBodies() {}

  /** The body in memory, refused past the limits. */
  static BodyHandler<byte[]> bytes(TransportLimits limits) {
    return info -> {
      IOException refused = refusal(info, limits, true);
      return refused != null ? failed(refused) : new LimitedBytes(limits.maxBodyBytes());
    };
  }

  /** The body as a stream, with only the headers limited. */
  static BodyHandler<InputStream> stream(TransportLimits limits) {
    return info -> {
      IOException refused = refusal(info, limits, false);
      return refused != null ? failed(refused) : BodyHandlers.ofInputStream().apply(info);
    };
  }

  private static IOException refusal(ResponseInfo info, TransportLimits limits, boolean inMemory) {
    long headerBytes = 0;
    for (var header : info.headers().map().entrySet()) {
      for (String value : header.getValue()) {
        headerBytes += header.getKey().length() + value.length() + 4;
      }
    }
    if (headerBytes > limits.maxHeaderBytes()) {
      return new ResponseTooLargeException("headers", limits.maxHeaderBytes());
    }
    long length = info.headers().firstValueAsLong("content-length").orElse(-1);
    if (inMemory && length > limits.maxBodyBytes()) {
      return new ResponseTooLargeException("body", limits.maxBodyBytes());
    }
    return null;
  }

  private static <T> BodySubscriber<T> failed(IOException e) {
    BodySubscriber<T> discard = BodySubscribers.replacing(null);
    return new BodySubscriber<>() {
      @Override
      public CompletionStage<T> getBody() {
        return CompletableFuture.failedFuture(e);
      }

      @Override
      public void onSubscribe(Flow.Subscription subscription) {
        subscription.cancel();
        discard.onSubscribe(subscription);
      }

      @Override
      public void onNext(List<ByteBuffer> item) {}

      @Override
      public void onError(Throwable throwable) {}

      @Override
      public void onComplete() {}
    };
  }

  /** Collects a body, cancelling it at the first byte past the limit. */
  private static final class LimitedBytes implements BodySubscriber<byte[]> {
    private final long max;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    LimitedBytes(long max) {
      this.max = max;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer b : buffers) {
        if (bytes.size() + (long) b.remaining() > max) {
          subscription.cancel();
          result.completeExceptionally(new ResponseTooLargeException("body", max));
          return;
        }
        byte[] chunk = new byte[b.remaining()];
        b.get(chunk);
        bytes.writeBytes(chunk);
      }
    }

    @Override
    public void onError(Throwable throwable) {
      result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
      result.complete(bytes.toByteArray());
    }
  }

  /**
   * A streamed body that fails once the request's deadline has passed; {@link #expire()}, run at
   * the deadline, closes it under a blocked reader.
   */
  static final class DeadlineStream extends BlockFilterInputStream {
    private final Duration timeout;
    private final long deadline;
    private volatile boolean expired;

    DeadlineStream(InputStream in, Duration timeout, long deadline) {
      super(in);
      this.timeout = timeout;
      this.deadline = deadline;
    }

    void expire() {
      expired = true;
      try {
        in.close();
      } catch (IOException ignored) {
        // Closing what has run out of time: the reader is told by the next read.
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (expired || System.nanoTime() - deadline > 0) {
        expire();
        throw new DeadlineExceededException(timeout);
      }
      try {
        return in.read(b, off, len);
      } catch (IOException e) {
        if (expired) {
          throw new DeadlineExceededException(timeout);
        }
        throw e;
      }
    }
  }
}
