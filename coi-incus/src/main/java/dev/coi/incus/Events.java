package dev.coi.incus;

import java.util.Set;

/**
 * The daemon's event stream. Subscribe before starting the operations you want to watch: events are
 * not replayed.
 *
 * <pre>{@code
 * try (EventSubscription events = client.events().subscribe(Set.of("lifecycle"),
 *     event -> System.out.println(event.action() + " " + event.source()))) {
 *   client.instances().create(...);
 * }
 * }</pre>
 */
public final class Events {
  private final Rest rest;

  Events(Rest rest) {
    this.rest = rest;
  }

  /** Receives what the daemon does, by event type ({@code lifecycle}, {@code operation}). */
  public interface Listener {
    /** One event; called on the subscription's own thread, one at a time, in order. */
    void onEvent(Event event);

    /**
     * The stream broke and was reopened: events may have been missed in between. Called before the
     * first event after the gap.
     */
    default void onGap() {}
  }

  /**
   * Opens the stream and delivers every event of the given types to the listener until the
   * subscription is closed; a broken stream is reopened.
   */
  public EventSubscription subscribe(Set<String> types, Listener listener) {
    if (types.isEmpty()) {
      throw new IllegalArgumentException("subscribe to at least one event type");
    }
    String path = "/1.0/events?type=" + String.join(",", new java.util.TreeSet<>(types));
    return EventSubscription.open(() -> rest.transport().openWebSocket(path), listener);
  }
}
