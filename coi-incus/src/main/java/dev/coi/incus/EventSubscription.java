package dev.coi.incus;

import dev.coi.incus.transport.WebSocket;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A live subscription to the daemon's events. One thread reads the stream, so that the daemon's
 * pings are answered however slow the listener is (a client that stops answering is dropped);
 * another delivers to the listener through a bounded queue. Close it to stop both.
 */
public final class EventSubscription implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(EventSubscription.class.getName());
  private static final int QUEUE = 4096;
  private static final long MAX_BACKOFF_MILLIS = 5_000;

  /** Opens a websocket to the event stream. */
  interface Connector {
    WebSocket connect() throws IOException;
  }

  /** Marks a reopened stream in the queue. */
  private static final Object GAP = new Object();

  /** How long {@link #close()} waits for each thread; both end at once unless a listener blocks. */
  private static final long JOIN_MILLIS = 5_000;

  private final Connector connector;
  private final Events.Listener listener;
  private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE);
  private final Thread reader;
  private final Thread dispatcher;
  private volatile boolean closed;
  private volatile WebSocket socket;

  private EventSubscription(Connector connector, Events.Listener listener) {
    this.connector = connector;
    this.listener = listener;
    this.reader = new Thread(this::read, "coi-events-reader");
    this.dispatcher = new Thread(this::dispatch, "coi-events-dispatch");
    reader.setDaemon(true);
    dispatcher.setDaemon(true);
  }

  /** Connects once (failing fast if the daemon is unreachable), then runs in the background. */
  static EventSubscription open(Connector connector, Events.Listener listener) {
    EventSubscription subscription = new EventSubscription(connector, listener);
    try {
      subscription.socket = connector.connect();
    } catch (IOException e) {
      throw new dev.coi.api.BackendUnavailableException(
          "cannot open the Incus event stream: " + e.getMessage(), e);
    }
    subscription.reader.start();
    subscription.dispatcher.start();
    return subscription;
  }

  private void read() {
    long backoff = 100;
    while (!closed) {
      try {
        WebSocket ws = socket;
        for (WebSocket.Message m = ws.receive(); m != null && !closed; m = ws.receive()) {
          if (m.text() && m.data().length > 0) {
            offer(Event.of(Rest.JSON.readTree(m.data())));
          }
          backoff = 100;
        }
      } catch (IOException e) {
        LOG.log(Level.DEBUG, "event stream broke: {0}", e.getMessage());
      }
      socket.close();
      if (closed) {
        break;
      }
      // Reopen, more slowly each time the daemon is away.
      try {
        Thread.sleep(backoff);
        backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
        socket = connector.connect();
        offer(GAP);
      } catch (IOException e) {
        LOG.log(Level.DEBUG, "cannot reopen the event stream: {0}", e.getMessage());
        socket = ClosedSocket.INSTANCE;
      } catch (InterruptedException e) {
        break;
      }
    }
    // A stream reopened while close() ran is this thread's to close.
    socket.close();
  }

  private void offer(Object item) {
    if (!queue.offer(item)) {
      // The listener is too slow: drop the oldest rather than stall the reader (and be dropped).
      queue.poll();
      queue.offer(GAP);
      queue.offer(item);
    }
  }

  private void dispatch() {
    while (!closed) {
      try {
        Object item = queue.poll(200, TimeUnit.MILLISECONDS);
        if (item == GAP) {
          listener.onGap();
        } else if (item != null) {
          listener.onEvent((Event) item);
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException listenerFailure) {
        LOG.log(Level.WARNING, "an event listener failed", listenerFailure);
      }
    }
  }

  /** Breaks the current stream as the daemon would, to test the reconnection. */
  void breakStream() {
    socket.close();
  }

  @Override
  public void close() {
    closed = true;
    socket.close();
    reader.interrupt();
    dispatcher.interrupt();
    try {
      reader.join(JOIN_MILLIS);
      dispatcher.join(JOIN_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (reader.isAlive() || dispatcher.isAlive()) {
      // Only a listener that ignores interrupts keeps the dispatcher; say whose it is.
      LOG.log(
          Level.WARNING, "an event listener did not return within {0} ms of close", JOIN_MILLIS);
    }
  }

  /** Stands in for a stream that could not be reopened, so the reader retries. */
  private enum ClosedSocket implements EventSocket {
    INSTANCE;

    @Override
    public Message receive() throws IOException {
      throw new IOException("not connected");
    }

    @Override
    public void close() {}
  }
}
