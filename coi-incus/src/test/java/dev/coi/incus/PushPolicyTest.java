package dev.coi.incus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Owners and modes for pushed trees: the host's bits by default, fixed ones when asked. */
class PushPolicyTest {

  @Test
  void anOwnerAloneKeepsTheHostsModes() {
    PushPolicy policy = PushPolicy.owner(1000, 1000);
    assertTrue(policy.fileMode().isEmpty());
    assertTrue(policy.directoryMode().isEmpty());
  }

  @Test
  void negativeOwnersAndModesBeyondTheBitsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> PushPolicy.owner(-1, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> PushPolicy.builder().uid(0).gid(0).fileMode(010000).build());
    assertEquals(
        07777,
        PushPolicy.builder().uid(0).gid(0).directoryMode(07777).build().directoryMode().getAsInt());
  }

  @Test
  void hostPermissionBitsBecomeAnOctalMode() {
    assertEquals(
        0640, TreePush.bits(java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----")));
    assertEquals(
        0751, TreePush.bits(java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x--x")));
  }
}
