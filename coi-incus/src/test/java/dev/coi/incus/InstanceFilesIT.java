package dev.coi.incus;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.NotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files of instances against the real daemon: owners and modes, trees both ways, stopped
 * instances, escapes.
 */
class InstanceFilesIT extends LiveIncusTestBase {
  private InstanceFiles files;
  @TempDir Path temp;

  @BeforeEach
  void start() {
    files = live.client.files();
  }

  @Test
  void aFilePushedWithOwnerAndModeStatsAndPullsBackTheSame() {
    String instance = live.instance("files", true);
    byte[] content = "secret=1\n".getBytes(UTF_8);

    files.push(instance, "/tmp/app.conf", content, 1000, 1000, 0640);

    FileInfo info = files.stat(instance, "/tmp/app.conf");
    assertEquals(FileInfo.Type.FILE, info.type());
    assertEquals(1000, info.uid());
    assertEquals(1000, info.gid());
    assertEquals("0640", info.octalMode());
    assertEquals(content.length, info.size());
    assertTrue(info.modified().isPresent());
    FileContent pulled = files.pull(instance, "/tmp/app.conf");
    assertArrayEquals(content, pulled.content());
    assertEquals(info.mode(), pulled.info().mode());
    assertEquals(1000, pulled.info().uid());
  }

  @Test
  void pushingOverAFileGivesItTheNewOwnerAndModeToo() {
    String instance = live.instance("files", true);
    files.push(instance, "/tmp/f", "old".getBytes(UTF_8), 0, 0, 0644);

    files.push(instance, "/tmp/f", "new".getBytes(UTF_8), 1000, 1000, 0600);

    FileInfo info = files.stat(instance, "/tmp/f");
    assertEquals(1000, info.uid());
    assertEquals("0600", info.octalMode());
    assertEquals("new", files.pull(instance, "/tmp/f").text());
  }

  @Test
  void aHostFileIsStreamedInWhole() throws IOException {
    String instance = live.instance("files", true);
    byte[] data = new byte[8 * 1024 * 1024 + 3];
    new Random(42).nextBytes(data);
    Path host = Files.write(temp.resolve("big.bin"), data);

    files.push(instance, "/tmp/big.bin", host, 1000, 1000, 0644);

    assertEquals(data.length, files.stat(instance, "/tmp/big.bin").size());
    assertArrayEquals(data, files.pull(instance, "/tmp/big.bin").content());
  }

  @Test
  void aTreeWithAFileLargerThanAnyAnswerHeldInMemoryPullsWhole() throws IOException {
    String instance = live.instance("files", true);
    // 70 MiB: over the transport's in-memory limit (64 MiB), so the pull must stream it to disk.
    byte[] block = new byte[1024 * 1024];
    new Random(7).nextBytes(block);
    Path big = temp.resolve("big-source.bin");
    try (var out = Files.newOutputStream(big)) {
      for (int i = 0; i < 70; i++) {
        block[0] = (byte) i;
        out.write(block);
      }
    }
    files.mkdir(instance, "/tmp/bigtree", 1000, 1000, 0750);
    files.push(instance, "/tmp/bigtree/big.bin", big, 1000, 1000, 0640);

    Path target = temp.resolve("pulled");
    files.pullTree(instance, "/tmp/bigtree", target);

    assertEquals(-1L, Files.mismatch(big, target.resolve("big.bin")));
  }

  @Test
  void directoriesAndSymlinksAreMadeAsAsked() {
    String instance = live.instance("files", true);

    files.mkdir(instance, "/tmp/d", 1000, 1000, 0710);
    files.symlink(instance, "/tmp/d/l", "../hosts-link-target");
    files.push(instance, "/tmp/hosts-link-target", "t".getBytes(UTF_8), 0, 0, 0644);

    FileInfo dir = files.stat(instance, "/tmp/d");
    assertTrue(dir.isDirectory());
    assertEquals("0710", dir.octalMode());
    assertEquals(1000, dir.uid());
    assertTrue(files.stat(instance, "/tmp/d/l").isSymlink());
    // The daemon answers with the resolved absolute path, not the link's own text.
    assertEquals("/tmp/hosts-link-target", files.pull(instance, "/tmp/d/l").linkTarget().get());
    assertEquals(List.of("l"), files.pull(instance, "/tmp/d").entries());
  }

  @Test
  void treesGoInAndComeBackWithModesAndLinks() throws IOException {
    String instance = live.instance("files", true);
    Path src = temp.resolve("src");
    Files.createDirectories(src.resolve("a/b"));
    Files.writeString(src.resolve("a/b/c.txt"), "deep");
    Files.writeString(src.resolve("run.sh"), "#!/bin/sh\n");
    setMode(src.resolve("a"), "rwxr-x---");
    setMode(src.resolve("a/b/c.txt"), "rw-------");
    setMode(src.resolve("run.sh"), "rwxr-xr-x");
    Files.createSymbolicLink(src.resolve("link"), Path.of("a/b/c.txt"));

    files.pushTree(instance, src, "/tmp/tree", PushPolicy.owner(1000, 1000));

    assertEquals("0750", files.stat(instance, "/tmp/tree/a").octalMode());
    FileInfo deep = files.stat(instance, "/tmp/tree/a/b/c.txt");
    assertEquals("0600", deep.octalMode());
    assertEquals(1000, deep.uid());
    assertEquals("0755", files.stat(instance, "/tmp/tree/run.sh").octalMode());
    assertEquals("/tmp/tree/a/b/c.txt", files.pull(instance, "/tmp/tree/link").linkTarget().get());

    Path back = temp.resolve("back");
    files.pullTree(instance, "/tmp/tree", back);

    assertEquals("deep", Files.readString(back.resolve("a/b/c.txt")));
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(back.resolve("a/b/c.txt"))));
    assertEquals(
        "rwxr-x---",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(back.resolve("a"))));
    assertEquals(Path.of("a/b/c.txt"), Files.readSymbolicLink(back.resolve("link")));
    assertEquals("deep", Files.readString(back.resolve("link")));
  }

  @Test
  void pushingATreeAgainReplacesFilesAndLinks() throws IOException {
    String instance = live.instance("files", true);
    Path src = Files.createDirectories(temp.resolve("src"));
    Files.writeString(src.resolve("f"), "one");
    Files.createSymbolicLink(src.resolve("l"), Path.of("f"));
    files.pushTree(instance, src, "/tmp/tree", PushPolicy.owner(1000, 1000));

    Files.writeString(src.resolve("f"), "two");
    Files.delete(src.resolve("l"));
    Files.createSymbolicLink(src.resolve("l"), Path.of("/etc/hosts"));
    files.pushTree(
        instance, src, "/tmp/tree", PushPolicy.builder().uid(0).gid(0).fileMode(0600).build());

    FileInfo f = files.stat(instance, "/tmp/tree/f");
    assertEquals("two", files.pull(instance, "/tmp/tree/f").text());
    assertEquals(0, f.uid());
    assertEquals("0600", f.octalMode());
    assertEquals("/etc/hosts", files.pull(instance, "/tmp/tree/l").linkTarget().get());
    // Not for @TempDir to meet: it warns about links out of the temp directory.
    Files.delete(src.resolve("l"));
  }

  @Test
  void aStoppedInstanceStillTakesAndGivesFiles() {
    String instance = live.instance("files", false);
    assertTrue(live.client.instances().get(instance).isStopped());

    files.push(instance, "/tmp/offline.txt", "while stopped".getBytes(UTF_8), 1000, 1000, 0644);

    assertEquals("while stopped", files.pull(instance, "/tmp/offline.txt").text());
    assertEquals(1000, files.stat(instance, "/tmp/offline.txt").uid());
  }

  @Test
  void deletedAndMissingPathsAreNotFoundNamingInstanceAndPath() {
    String instance = live.instance("files", false);
    files.push(instance, "/tmp/gone", new byte[] {1}, 0, 0, 0644);

    files.delete(instance, "/tmp/gone");

    assertTrue(files.find(instance, "/tmp/gone").isEmpty());
    for (Runnable call :
        List.<Runnable>of(
            () -> files.stat(instance, "/tmp/gone"),
            () -> files.pull(instance, "/tmp/gone"),
            () -> files.delete(instance, "/tmp/gone"),
            () -> files.push(instance, "/tmp/no-dir/f", new byte[0], 0, 0, 0644))) {
      NotFoundException e = assertThrows(NotFoundException.class, call::run);
      assertTrue(e.getMessage().contains(instance), e.getMessage());
      assertTrue(e.getMessage().contains("/tmp/"), e.getMessage());
    }
    String missing = LiveResources.name("files-missing");
    NotFoundException e =
        assertThrows(NotFoundException.class, () -> files.stat(missing, "/etc/hosts"));
    assertTrue(e.getMessage().contains(missing), e.getMessage());
    assertThrows(NotFoundException.class, () -> files.find(missing, "/etc/hosts"));
  }

  @Test
  void aBigUploadTheDaemonRefusesAtOnceStillSaysWhy() throws IOException {
    String instance = live.instance("files", false);
    Path big = Files.write(temp.resolve("big.bin"), new byte[32 * 1024 * 1024]);

    // The daemon answers before it has read the body and drops the connection under the upload.
    NotFoundException noParent =
        assertThrows(
            NotFoundException.class,
            () -> files.push(instance, "/no-such-dir/big.bin", big, 0, 0, 0644));
    assertTrue(noParent.getMessage().contains("/no-such-dir/big.bin"), noParent.getMessage());
    String missing = LiveResources.name("files-missing");
    NotFoundException noInstance =
        assertThrows(
            NotFoundException.class, () -> files.push(missing, "/tmp/big.bin", big, 0, 0, 0644));
    assertTrue(noInstance.getMessage().contains(missing), noInstance.getMessage());
  }

  @Test
  void aPullThatWouldFollowASymlinkOutOfTheTreeWritesNothingOutsideTheTarget() throws IOException {
    String instance = live.instance("files", true);
    files.mkdir(instance, "/tmp/evil", 0, 0, 0755);
    files.push(instance, "/tmp/evil/a.txt", "fine".getBytes(UTF_8), 0, 0, 0644);
    files.symlink(instance, "/tmp/evil/etc", "/etc");
    Path target = temp.resolve("target");

    PathEscapeException e =
        assertThrows(
            PathEscapeException.class, () -> files.pullTree(instance, "/tmp/evil", target));

    assertTrue(e.getMessage().contains("/tmp/evil/etc"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    try (Stream<Path> all = Files.walk(temp)) {
      List<Path> outside =
          all.filter(p -> !p.equals(temp) && !p.startsWith(target)).collect(Collectors.toList());
      assertEquals(List.of(), outside);
    }
    assertFalse(Files.exists(target.resolve("etc"), LinkOption.NOFOLLOW_LINKS));
    assertFalse(Files.exists(target.resolve("etc/passwd")));
  }

  private static void setMode(Path path, String permissions) throws IOException {
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
  }
}
