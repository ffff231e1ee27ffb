package dev.coi.hostfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.tck.HostSnapshot;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostTreesTest {
  @TempDir Path tmp;
  private Path host;
  private Map<String, String> hostBefore;

  /** A host directory with files the tests must never change: the planted links' target. */
  @BeforeEach
  void plantHostFiles() throws IOException {
    host = Files.createDirectory(tmp.resolve("host"));
    Files.writeString(host.resolve(".bashrc"), "echo host\n");
    Files.createDirectory(host.resolve(".ssh"));
    Files.writeString(host.resolve(".ssh/id_rsa"), "secret\n");
    Files.setPosixFilePermissions(
        host.resolve(".ssh/id_rsa"), PosixFilePermissions.fromString("rw-r-----"));
    hostBefore = snapshot(host);
  }

  private void assertHostUntouched() throws IOException {
    assertEquals(hostBefore, snapshot(host), "the host directory was changed through a link");
  }

  static Map<String, String> snapshot(Path root) throws IOException {
    return HostSnapshot.of(root);
  }

  /** An agent's tree with links to the host, relative and absolute, at several depths. */
  private Path hostileTree() throws IOException {
    Path tree = Files.createDirectory(tmp.resolve("tree"));
    Files.writeString(tree.resolve("notes.txt"), "mine\n");
    Files.createDirectories(tree.resolve("a/b"));
    Files.writeString(tree.resolve("a/b/deep.txt"), "deep\n");
    Files.createSymbolicLink(tree.resolve("settings.json"), Path.of("../host/.bashrc"));
    Files.createSymbolicLink(tree.resolve("abs"), host.resolve(".bashrc"));
    Files.createSymbolicLink(tree.resolve("a/ssh"), host.resolve(".ssh"));
    Files.createSymbolicLink(tree.resolve("a/b/up"), Path.of("../../../host"));
    Process mkfifo = new ProcessBuilder("mkfifo", tree.resolve("a/pipe").toString()).start();
    try {
      assertEquals(0, mkfifo.waitFor());
    } catch (InterruptedException e) {
      throw new IOException(e);
    }
    return tree;
  }

  @Test
  void copyKeepsLinksAsLinksAndSkipsFifos() throws IOException {
    Path tree = hostileTree();
    Path copy = tmp.resolve("copy");
    HostTrees.copy(tree, copy, HostTrees.CopyObserver.NONE);
    assertEquals("mine\n", Files.readString(copy.resolve("notes.txt")));
    assertEquals("deep\n", Files.readString(copy.resolve("a/b/deep.txt")));
    assertEquals(Path.of("../host/.bashrc"), Files.readSymbolicLink(copy.resolve("settings.json")));
    assertEquals(host.resolve(".ssh"), Files.readSymbolicLink(copy.resolve("a/ssh")));
    assertFalse(Files.exists(copy.resolve("a/pipe"), LinkOption.NOFOLLOW_LINKS));
    assertEquals(mode(tree), mode(copy));
    assertEquals(mode(tree.resolve("notes.txt")), mode(copy.resolve("notes.txt")));
    assertHostUntouched();
  }

  @Test
  void deleteRemovesLinksNeverTheirTargets() throws IOException {
    Path tree = hostileTree();
    HostTrees.delete(tree);
    assertFalse(Files.exists(tree, LinkOption.NOFOLLOW_LINKS));
    assertHostUntouched();
  }

  @Test
  void chownChangesLinksNeverTheirTargets() throws IOException {
    Path tree = hostileTree();
    HostTrees.chown(tree, 4242, 4343);
    assertEquals(4242, Files.getAttribute(tree, "unix:uid", LinkOption.NOFOLLOW_LINKS));
    assertEquals(4242, Files.getAttribute(tree.resolve("a/b/deep.txt"), "unix:uid"));
    assertEquals(
        4242, Files.getAttribute(tree.resolve("abs"), "unix:uid", LinkOption.NOFOLLOW_LINKS));
    assertEquals(
        4343, Files.getAttribute(tree.resolve("a/pipe"), "unix:gid", LinkOption.NOFOLLOW_LINKS));
    assertHostUntouched();
  }

  @Test
  void writeReplacesAPlantedLinkInsteadOfWritingThroughIt() throws IOException {
    Path tree = hostileTree();
    try (HostDir dir = HostDir.open(tree)) {
      dir.write("settings.json", "{}".getBytes(StandardCharsets.UTF_8), HostDir.PRIVATE_FILE);
      dir.write("abs", "{}".getBytes(StandardCharsets.UTF_8), HostDir.PRIVATE_FILE);
    }
    assertFalse(Files.isSymbolicLink(tree.resolve("settings.json")));
    assertEquals("{}", Files.readString(tree.resolve("settings.json")));
    assertEquals("rw-------", mode(tree.resolve("settings.json")));
    assertHostUntouched();
  }

  @Test
  void readRefusesLinksAndFifosAndLargeFiles() throws IOException {
    Path tree = hostileTree();
    try (HostDir dir = HostDir.open(tree)) {
      assertThrows(FileSystemException.class, () -> dir.read("settings.json", 1 << 20));
      assertThrows(FileSystemException.class, () -> dir.read("abs", 1 << 20));
      try (HostDir a = dir.directory("a")) {
        assertThrows(FileSystemException.class, () -> a.read("pipe", 1 << 20));
        assertThrows(FileSystemException.class, () -> a.directory("ssh"));
      }
      assertThrows(FileSystemException.class, () -> dir.read("notes.txt", 2));
      assertArrayEquals("mine\n".getBytes(StandardCharsets.UTF_8), dir.read("notes.txt", 100));
    }
  }

  @Test
  void aLinkOnAnyComponentIsRefused() throws IOException {
    Path real = Files.createDirectories(tmp.resolve("real/x/y"));
    assertTrue(HostDir.openNoFollow(real).stat().isDirectory());
    // A link at each level in turn, leading to the host directory.
    Path[] levels = {tmp.resolve("real"), tmp.resolve("real/x"), tmp.resolve("real/x/y")};
    for (Path level : levels) {
      Path aside = level.resolveSibling(level.getFileName() + ".aside");
      Files.move(level, aside);
      Files.createSymbolicLink(level, host);
      FileSystemException e =
          assertThrows(FileSystemException.class, () -> HostDir.openNoFollow(real).close());
      assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
      Files.delete(level);
      Files.move(aside, level);
    }
    assertHostUntouched();
  }

  @Test
  void fifosNeverBlock() throws Exception {
    Path tree = hostileTree();
    try (HostDir a = HostDir.open(tree.resolve("a"))) {
      // What a swap between a look and an open amounts to: opening a fifo as a file or a directory.
      assertThrows(FileSystemException.class, () -> a.openFile("pipe"));
      assertThrows(IOException.class, () -> a.directory("pipe"));
      assertThrows(IOException.class, () -> a.setPermissions("pipe", HostDir.PRIVATE_FILE));
    }
    HostTrees.walk(tree, (parent, entry, relative) -> {});
    HostTrees.delete(tree);
    assertFalse(Files.exists(tree));
  }

  @Test
  void unreadableDirectoriesAreCopiedAndDeleted() throws IOException {
    Path tree = hostileTree();
    Files.writeString(tree.resolve("a/b/locked.txt"), "locked\n");
    Files.setPosixFilePermissions(
        tree.resolve("a/b"), PosixFilePermissions.fromString("---------"));
    Files.setPosixFilePermissions(tree.resolve("a"), PosixFilePermissions.fromString("---------"));
    Path copy = tmp.resolve("copy");
    HostTrees.copy(tree, copy, HostTrees.CopyObserver.NONE);
    assertEquals("---------", mode(copy.resolve("a")));
    HostTrees.delete(copy);
    HostTrees.delete(tree);
    assertFalse(Files.exists(tree, LinkOption.NOFOLLOW_LINKS));
    assertFalse(Files.exists(copy, LinkOption.NOFOLLOW_LINKS));
    assertHostUntouched();
  }

  @Test
  void aSparseTwoGibibyteFileIsCopiedWithFlatHeap() throws IOException {
    Path tree = Files.createDirectory(tmp.resolve("tree"));
    long size = 2L << 30;
    try (var out =
        Files.newByteChannel(
            tree.resolve("big"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      out.position(size / 2);
      out.write(java.nio.ByteBuffer.wrap("middle".getBytes(StandardCharsets.UTF_8)));
      out.position(size - 3);
      out.write(java.nio.ByteBuffer.wrap("end".getBytes(StandardCharsets.UTF_8)));
    }
    long heapBefore = heapPeakReset();
    Path copy = tmp.resolve("copy");
    HostTrees.copy(tree, copy, HostTrees.CopyObserver.NONE);
    long heapGrowth = heapPeak() - heapBefore;
    Path big = copy.resolve("big");
    assertEquals(size, Files.size(big));
    try (var in = Files.newByteChannel(big)) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(6);
      in.position(size / 2).read(b);
      assertEquals("middle", new String(b.array(), StandardCharsets.UTF_8));
      b = java.nio.ByteBuffer.allocate(3);
      in.position(size - 3).read(b);
      assertEquals("end", new String(b.array(), StandardCharsets.UTF_8));
    }
    assertTrue(heapGrowth < 64L << 20, "the heap grew by " + heapGrowth + " bytes");
    assertTrue(allocatedBytes(big) < 16L << 20, "the copy is not sparse: " + allocatedBytes(big));
  }

  /** Disk space a file takes, from stat(1): the JDK has no st_blocks. */
  private static long allocatedBytes(Path file) throws IOException {
    Process stat = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).start();
    String[] out =
        new String(stat.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim().split(" ");
    return Long.parseLong(out[0]) * Long.parseLong(out[1]);
  }

  private static long heapPeakReset() {
    long used = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
        used += pool.getPeakUsage().getUsed();
      }
    }
    return used;
  }

  private static long heapPeak() {
    long used = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        used += pool.getPeakUsage().getUsed();
      }
    }
    return used;
  }

  static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }
}
