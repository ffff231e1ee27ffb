package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The early start of the libraries' one-time work: still aimed at real classes, and harmless. */
class PreloadTest {
  @Test
  void everyNamedClassIsOnTheClassPath() throws ClassNotFoundException {
    // A library upgrade that renames one would make the preload skip it without a word.
    for (String name : concat(Preload.UNIX_SOCKETS, Preload.JSON)) {
      Class.forName(name, false, Preload.class.getClassLoader());
    }
  }

  @Test
  void junixsocketIsLoadedEarlyOnlyWhenALocalDaemonsSocketExists(@TempDir Path dir)
      throws Exception {
    Path socket = Files.createFile(dir.resolve("unix.socket"));
    assertTrue(Preload.localDaemonLikely(Map.of("INCUS_SOCKET", socket.toString())));
    assertTrue(Preload.localDaemonLikely(Map.of("INCUS_DIR", dir.toString())));
    // A socket named but missing: a remote's user, say, whom a failed load would only bother.
    assertFalse(Preload.localDaemonLikely(Map.of("INCUS_SOCKET", dir.resolve("none").toString())));
    assertFalse(Preload.localDaemonLikely(Map.of("INCUS_DIR", dir.resolve("none").toString())));
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
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
