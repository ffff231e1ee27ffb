package dev.coi.incus.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SocketLocatorTest {

  @Test
  void incusSocketWinsEvenWhenItIsMissing() {
    assertEquals(
        Path.of("/nonexistent"),
        SocketLocator.locate(Map.of("INCUS_SOCKET", "/nonexistent", "INCUS_DIR", "/d")));
  }

  @Test
  void incusDirComesNext() {
    assertEquals(Path.of("/d/unix.socket"), SocketLocator.locate(Map.of("INCUS_DIR", "/d")));
  }

  @Test
  void otherwiseAWellKnownPath() {
    assertTrue(
        SocketLocator.WELL_KNOWN.contains(SocketLocator.locate(Map.of("INCUS_SOCKET", " "))));
  }
}
