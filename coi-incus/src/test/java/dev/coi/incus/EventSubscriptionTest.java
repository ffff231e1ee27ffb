package dev.coi.incus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.BackendUnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The subscription's delivery, reconnection and shutdown, over scripted in-memory streams. */
class EventSubscriptionTest {

  /** A stream that plays the messages a test puts in, then ends when told. */
  static final class ScriptedSocket implements EventSocket {
    static final byte[] END = new byte[0];
    final BlockingQueue<byte[]> incoming = new LinkedBlockingQueue<>();
    volatile boolean closed;

    void event(String action) {
      incoming.add(
          ("{\"type\":\"lifecycle\",\"timestamp\":\"t\",\"metadata\":{\"action\":\""
                  + action
                  + "\",\"source\":\"/1.0/instances/x\",\"context\":{\"a\":1}}}")
              .getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Message receive() throws IOException {
      try {
        byte[] next;
        while ((next = incoming.poll(50, TimeUnit.MILLISECONDS)) == null) {
          if (closed) {
            throw new IOException("closed");
          }
        }
        return next == END ? null : new Message(true, next);
      } catch (InterruptedException e) {
        throw new IOException("interrupted");
      }
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  static final class Recorder implements Events.Listener {
    final List<String> seen = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(Event event) {
      seen.add(event.action());
    }

    @Override
    public void onGap() {
      seen.add("GAP");
    }

    void awaitSize(int size) throws InterruptedException {
      Await.until(() -> size + " events, have " + seen, () -> seen.size() >= size, Await.PATIENCE);
    }
  }

  @Test
  void eventsArriveInOrderWithTheirMetadata() throws Exception {
    ScriptedSocket socket = new ScriptedSocket();
    List<Event> events = new CopyOnWriteArrayList<>();
    try (EventSubscription s = EventSubscription.open(() -> socket, events::add)) {
      socket.event("instance-created");
      socket.event("instance-started");
      Await.until("two events", () -> events.size() >= 2);
    }
    assertEquals(
        List.of("instance-created", "instance-started"),
        events.stream().map(Event::action).toList());
    assertEquals("/1.0/instances/x", events.get(0).source());
    assertEquals("{\"a\":1}", events.get(0).metadata().get("context"));
  }

  @Test
  void aBrokenStreamIsReopenedAndTheGapIsSaid() throws Exception {
    ScriptedSocket first = new ScriptedSocket();
    ScriptedSocket second = new ScriptedSocket();
    AtomicInteger connects = new AtomicInteger();
    Recorder recorder = new Recorder();
    try (EventSubscription s =
        EventSubscription.open(() -> connects.incrementAndGet() == 1 ? first : second, recorder)) {
      first.event("one");
      recorder.awaitSize(1);
      first.incoming.add(ScriptedSocket.END);
      second.event("two");
      recorder.awaitSize(3);
    }
    assertEquals(List.of("one", "GAP", "two"), recorder.seen);
    assertTrue(first.closed);
  }

  private static long eventThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("coi-events"))
        .count();
  }

  @Test
  void closingStopsBothThreadsAndTheStream() throws Exception {
    long before = eventThreads();
    ScriptedSocket socket = new ScriptedSocket();
    EventSubscription s = EventSubscription.open(() -> socket, e -> {});
    s.close();
    assertTrue(socket.closed);
    // close() joins both threads: no grace needed.
    assertEquals(before, eventThreads());
  }

  @Test
  void aStreamReopenedWhileClosingIsClosedAndNoThreadOutlivesClose() throws Exception {
    long before = eventThreads();
    ScriptedSocket first = new ScriptedSocket();
    ScriptedSocket reopened = new ScriptedSocket();
    java.util.concurrent.CountDownLatch reconnecting = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch closing = new java.util.concurrent.CountDownLatch(1);
    AtomicInteger connects = new AtomicInteger();
    EventSubscription s =
        EventSubscription.open(
            () -> {
              if (connects.incrementAndGet() == 1) {
                return first;
              }
              // The daemon answers the reconnect only once close() has begun.
              reconnecting.countDown();
              try {
                closing.await();
              } catch (InterruptedException e) {
                // close() interrupts: answer all the same, as a connect already under way does.
              }
              return reopened;
            },
            e -> {});
    first.incoming.add(ScriptedSocket.END);
    assertTrue(reconnecting.await(1, TimeUnit.MINUTES));
    closing.countDown();
    s.close();

    assertTrue(reopened.closed, "the stream opened during close() was left open");
    assertEquals(before, eventThreads());
  }

  @Test
  void anUnreachableDaemonFailsTheSubscribeAtOnce() {
    BackendUnavailableException e =
        assertThrows(
            BackendUnavailableException.class,
            () ->
                EventSubscription.open(
                    () -> {
                      throw new IOException("connection refused");
                    },
                    ev -> {}));
    assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
  }

  @Test
  void aSlowListenerDoesNotStallTheReader() throws Exception {
    ScriptedSocket socket = new ScriptedSocket();
    Recorder recorder = new Recorder();
    java.util.concurrent.CountDownLatch firstHeld = new java.util.concurrent.CountDownLatch(1);
    Events.Listener slow =
        new Events.Listener() {
          @Override
          public void onEvent(Event event) {
            if (event.action().equals("first")) {
              try {
                firstHeld.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            recorder.onEvent(event);
          }
        };
    try (EventSubscription s = EventSubscription.open(() -> socket, slow)) {
      socket.event("first");
      for (int i = 0; i < 100; i++) {
        socket.event("e" + i);
      }
      // The reader drains the stream while the listener is still on the first event.
      Await.until("the reader drained the stream", socket.incoming::isEmpty);
      assertEquals(0, recorder.seen.size(), "the listener is still busy with the first event");
      firstHeld.countDown();
      recorder.awaitSize(101);
    }
    assertEquals(101, recorder.seen.size());
  }
}
