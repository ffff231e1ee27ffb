package dev.coi.incus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.incus.transport.HttpResponse;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** File info as the daemon sends it in {@code X-Incus-*} headers. */
class FileInfoTest {

  @Test
  void readsTypeOwnerOctalModeAndGoTime() {
    HttpResponse head =
        new HttpResponse(
            200,
            Map.of(
                "x-incus-type", "file",
                "x-incus-uid", "1000",
                "x-incus-gid", "1000",
                "x-incus-mode", "0640",
                "x-incus-modified", "2026-11-27 03:26:32 +0000 UTC"),
            new byte[0]);

    FileInfo info = FileInfo.fromHeaders("/tmp/a", head, 5);

    assertTrue(info.isFile());
    assertEquals(1000, info.uid());
    assertEquals(0640, info.mode());
    assertEquals("0640", info.octalMode());
    assertEquals(5, info.size());
    assertEquals(Optional.of(Instant.parse("2026-11-27T03:26:32Z")), info.modified());
  }

  @Test
  void fractionalSecondsAndOddTimesAreHandled() {
    assertEquals(
        Optional.of(Instant.parse("2026-11-27T03:26:32.5Z")),
        FileInfo.parseModified("2026-11-27 03:26:32.5 +0000 UTC"));
    assertEquals(Optional.empty(), FileInfo.parseModified("yesterday"));
    assertEquals(Optional.empty(), FileInfo.parseModified(null));
  }
}
