package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The early start of the libraries' one-time work: still aimed at real classes, and harmless. */
class PreloadTest {
  @Test
  void everyNamedClassIsOnTheClassPath() throws ClassNotFoundException {
    // A library upgrade that renames one would make the preload skip it without a word.
    for (String name : Preload.CLASSES) {
      Class.forName(name, false, Preload.class.getClassLoader());
    }
  }

  @Test
  void theSampleIsAnAnswerOfTheDaemonsShape() throws Exception {
    JsonNode sample = new ObjectMapper().readTree(Preload.SAMPLE);
    assertEquals(200, sample.path("status_code").asInt());
    assertTrue(sample.path("metadata").path("config").isObject());
  }

  @Test
  void itEndsWithoutAnError() {
    Preload.run();
    Preload.run();
  }

  @Test
  void itRunsOnADaemonThreadThatEnds() throws InterruptedException {
    Thread thread = Preload.start();
    // A daemon thread never keeps coi's JVM alive after the command is done.
    assertTrue(thread.isDaemon());
    thread.join(120_000);
    assertFalse(thread.isAlive());
  }
}
