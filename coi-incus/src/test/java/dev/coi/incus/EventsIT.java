package dev.coi.incus;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The daemon's event stream, as a subscriber sees it. */
class EventsIT extends LiveIncusTestBase {

  /** Records what arrives; "GAP" marks a reopened stream. */
  static final class Recorder implements Events.Listener {
    final List<String> seen = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(Event event) {
      seen.add(event.action() + " " + event.source());
    }

    @Override
    public void onGap() {
      seen.add("GAP");
    }

    boolean await(String entry) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!seen.contains(entry) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      return seen.contains(entry);
    }
  }

  private static String startInstance() {
    String name = LiveResources.name("events");
    incus.instances().create(LeakCheck.testInstance(name, "events").ephemeral(true).build());
    return name;
  }

  @Test
  void lifecycleEventsOfAnInstanceArriveInOrder() throws InterruptedException {
    Recorder recorder = new Recorder();
    String name;
    try (EventSubscription events = incus.events().subscribe(Set.of("lifecycle"), recorder)) {
      name = startInstance();
      incus.instances().stop(name, true);
      String source = "/1.0/instances/" + name;
      assertTrue(recorder.await("instance-stopped " + source), recorder.seen.toString());
      List<String> ours = recorder.seen.stream().filter(e -> e.endsWith(" " + source)).toList();
      assertTrue(
          ours.indexOf("instance-created " + source) < ours.indexOf("instance-started " + source)
              && ours.indexOf("instance-started " + source)
                  < ours.indexOf("instance-stopped " + source),
          ours.toString());
    }
  }

  @Test
  void aBrokenStreamIsReopenedAndLaterEventsStillArrive() throws InterruptedException {
    Recorder recorder = new Recorder();
    try (EventSubscription events = incus.events().subscribe(Set.of("lifecycle"), recorder)) {
      events.breakStream();
      assertTrue(recorder.await("GAP"), recorder.seen.toString());
      String name = startInstance();
      try {
        assertTrue(
            recorder.await("instance-started /1.0/instances/" + name), recorder.seen.toString());
      } finally {
        incus.instances().stop(name, true);
      }
    }
  }
}
