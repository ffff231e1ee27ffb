package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SlotReservationsTest {
  @TempDir Path workspace;
  @TempDir Path sessionsDir;
  private Process other;

  @AfterEach
  void endTheOtherProcess() {
    if (other != null) {
      other.destroyForcibly();
    }
  }

  /** A live process other than this one, as a ledger line names it. */
  private String anotherLiveProcess() throws IOException {
    other = new ProcessBuilder("sleep", "600").start();
    String host = Owners.describeThisProcess().split(" ", 2)[0];
    String started = other.info().startInstant().map(Object::toString).orElse("");
    return host + " " + other.pid() + " " + started;
  }

  private static String tokenOf(String line) {
    return line.split(" ", 3)[1];
  }

  @Test
  void releasingAReservationNeverDropsAnotherProcesssLineWithTheSameToken() throws IOException {
    SlotReservations reservations = new SlotReservations(sessionsDir, workspace);
    SlotReservations.Reservation mine = reservations.whileLocked(l -> l.add("claude-a-1"));
    String token = tokenOf(Files.readAllLines(reservations.ledgerFile()).get(0));
    // Another process whose token happens to be ours (each JVM used to count from 1).
    String theirs = "claude-a-2 " + token + " " + anotherLiveProcess();
    Files.writeString(reservations.ledgerFile(), theirs + "\n", StandardOpenOption.APPEND);

    mine.close();

    assertEquals(List.of(theirs), Files.readAllLines(reservations.ledgerFile()));
  }

  @Test
  void tokensAreRandomSoThatTwoProcessesNeverShareOne() throws IOException {
    SlotReservations reservations = new SlotReservations(sessionsDir, workspace);
    reservations.whileLocked(l -> l.add("claude-a-1"));
    reservations.whileLocked(l -> l.add("claude-a-2"));

    List<String> lines = Files.readAllLines(reservations.ledgerFile());
    // A counter per JVM gives "1", "2", … in every process; a random UUID does not repeat.
    UUID first = UUID.fromString(tokenOf(lines.get(0)));
    UUID second = UUID.fromString(tokenOf(lines.get(1)));
    assertNotEquals(first, second);
    assertEquals(4, first.version(), "a random UUID");
  }
}
