package dev.coi.incus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.BackendUnavailableException;
import dev.coi.incus.transport.WebSocket;
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
  static final class ScriptedSocket implements WebSocket {
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
    public void sendBinary(byte[] data, int offset, int length) {}

    @Override
    public void sendText(String text) {}

    @Override
    public void sendClose() {}

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
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (seen.size() < size && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    }
  }

  @Test
  void eventsArriveInOrderWithTheirMetadata() throws Exception {
    ScriptedSocket socket = new ScriptedSocket();
    List<Event> events = new CopyOnWriteArrayList<>();
    try (EventSubscription s = EventSubscription.open(() -> socket, events::add)) {
      socket.event("instance-created");
      socket.event("instance-started");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (events.size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
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

  @Test
  void closingStopsBothThreadsAndTheStream() throws Exception {
    ScriptedSocket socket = new ScriptedSocket();
    EventSubscription s = EventSubscription.open(() -> socket, e -> {});
    s.close();
    assertTrue(socket.closed);
    Thread.sleep(50);
    assertFalse(
        Thread.getAllStackTraces().keySet().stream()
            .anyMatch(t -> t.isAlive() && t.getName().startsWith("coi-events")));
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
    Events.Listener slow =
        new Events.Listener() {
          @Override
          public void onEvent(Event event) {
            try {
              Thread.sleep(event.action().equals("first") ? 300 : 0);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            recorder.onEvent(event);
          }
        };
    try (EventSubscription s = EventSubscription.open(() -> socket, slow)) {
      socket.event("first");
      for (int i = 0; i < 100; i++) {
        socket.event("e" + i);
      }
      // The reader drains the stream while the listener sleeps.
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(250);
      while (!socket.incoming.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertTrue(socket.incoming.isEmpty(), "the reader waited for the listener");
      recorder.awaitSize(101);
    }
    assertEquals(101, recorder.seen.size());
  }
}
