package dev.coi.tck;

import static dev.coi.tck.BackendChecks.bytes;
import static dev.coi.tck.BackendChecks.permissions;
import static dev.coi.tck.BackendChecks.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.ConflictException;
import dev.coi.api.NotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files and trees pushed into and pulled out of a container, with owners, modes and links. Part of
 * {@link ContainerBackendContract}.
 */
public interface FileChecks extends BackendChecks {
  @Test
  default void aPushedFileComesBackWithItsOwnerAndMode() {
    String name = running();

    backend().pushFile(name, "/coi-note", bytes("hello\n"), 1000, 1000, 0640);

    assertFile(name, "/coi-note", "hello\n", "1000:1000:640");
  }

  @Test
  default void aPushedFileReplacesTheOneThereWithItsOwnerAndMode() {
    String name = running();
    backend().pushFile(name, "/coi-note", bytes("old and longer\n"), 0, 0, 0600);

    backend().pushFile(name, "/coi-note", bytes("new\n"), 1000, 1000, 0644);

    assertFile(name, "/coi-note", "new\n", "1000:1000:644");
  }

  @Test
  default void aMissingFileIsEmptyAndAMissingDirectoryIsNotFound() {
    String name = running();

    assertTrue(backend().pullFile(name, "/coi-no-such-file").isEmpty());
    assertThrows(
        NotFoundException.class,
        () -> backend().pushFile(name, "/coi-no-such-dir/f", bytes("x"), 0, 0, 0644));
  }

  @Test
  default void filesGoWithTheContainer() {
    String name = running();
    backend().pushFile(name, "/coi-note", bytes("x"), 0, 0, 0644);

    backend().delete(name);
    backend().create(spec(name).build());

    assertTrue(backend().pullFile(name, "/coi-note").isEmpty());
  }

  @Test
  default void aTreeMakesTheRoundTripWithNestedDirectoriesBinaryContentOwnerAndModes(
      @TempDir Path host) throws IOException {
    String name = running();
    Path src = host.resolve("src");
    byte[] blob = new byte[200 * 1024];
    new Random(42).nextBytes(blob);
    write(src.resolve("a/b/blob.bin"), blob, "rw-------");
    write(src.resolve("run.sh"), bytes("#!/bin/sh\necho hi\n"), "rwxr-xr-x");
    Files.createDirectories(src.resolve("a/empty"));
    Files.setPosixFilePermissions(
        src.resolve("a/empty"), PosixFilePermissions.fromString("rwx------"));

    backend().pushTree(name, src, "/coi-tree/deep/src", 1000, 1000);

    assertEquals("1000:1000:755", ownerAndMode(name, "/coi-tree"));
    assertEquals("1000:1000:600", ownerAndMode(name, "/coi-tree/deep/src/a/b/blob.bin"));
    assertEquals("1000:1000:755", ownerAndMode(name, "/coi-tree/deep/src/run.sh"));
    assertEquals("1000:1000:700", ownerAndMode(name, "/coi-tree/deep/src/a/empty"));
    assertArrayEquals(
        blob, backend().pullFile(name, "/coi-tree/deep/src/a/b/blob.bin").orElseThrow());

    Path back = host.resolve("back");
    backend().pullTree(name, "/coi-tree/deep/src", back);

    assertArrayEquals(blob, Files.readAllBytes(back.resolve("a/b/blob.bin")));
    assertEquals("rw-------", permissions(back.resolve("a/b/blob.bin")));
    assertEquals("rwxr-xr-x", permissions(back.resolve("run.sh")));
    assertEquals("rwx------", permissions(back.resolve("a/empty")));
    try (var entries = Files.list(back.resolve("a/empty"))) {
      assertEquals(0, entries.count());
    }
  }

  @Test
  default void aSingleFilePushedAsATreeLandsAtTheTargetAndComesBack(@TempDir Path host)
      throws IOException {
    String name = running();
    Path tool = host.resolve("tool");
    write(tool, bytes("#!/bin/sh\n"), "rwxr-x---");

    backend().pushTree(name, tool, "/coi-single/bin/tool", 1000, 1000);

    assertArrayEquals(
        bytes("#!/bin/sh\n"), backend().pullFile(name, "/coi-single/bin/tool").orElseThrow());
    assertEquals("1000:1000:750", ownerAndMode(name, "/coi-single/bin/tool"));
    assertEquals("1000:1000:755", ownerAndMode(name, "/coi-single/bin"));

    Path back = host.resolve("back/tool");
    backend().pullTree(name, "/coi-single/bin/tool", back);
    assertArrayEquals(bytes("#!/bin/sh\n"), Files.readAllBytes(back));
    assertEquals("rwxr-x---", permissions(back));
  }

  @Test
  default void pullingAMissingTreeIsNotFoundAndWritesNothing(@TempDir Path host) {
    String name = running();

    assertThrows(
        NotFoundException.class,
        () -> backend().pullTree(name, "/coi-no-such-tree", host.resolve("out")));
    assertFalse(Files.exists(host.resolve("out")));
  }

  @Test
  default void pullingATreeOntoAnExistingTargetIsRefusedAndLeavesItAlone(@TempDir Path host)
      throws IOException {
    String name = running();
    backend().pushFile(name, "/coi-note", bytes("from the container"), 0, 0, 0644);
    Path there = host.resolve("there");
    Files.writeString(there, "mine");

    ConflictException e =
        assertThrows(ConflictException.class, () -> backend().pullTree(name, "/coi-note", there));

    assertTrue(e.getMessage().contains(there.toString()), e.getMessage());
    assertEquals("mine", Files.readString(there));
  }

  @Test
  default void aLinkInsideAPulledTreeLeadsToTheSameEntryOnTheHost(@TempDir Path host)
      throws IOException {
    String name = running();
    Path src = host.resolve("src");
    write(src.resolve("sub/file"), bytes("in the tree"), "rw-r--r--");
    Files.createSymbolicLink(src.resolve("inner"), Path.of("sub/file"));
    backend().pushTree(name, src, "/coi-links", 1000, 1000);

    Path back = host.resolve("back");
    backend().pullTree(name, "/coi-links", back);

    assertTrue(Files.isSymbolicLink(back.resolve("inner")));
    assertEquals("in the tree", Files.readString(back.resolve("inner")));
    assertEquals(
        back.resolve("sub/file").toRealPath(), back.resolve("inner").toRealPath(), "same entry");
  }

  @Test
  default void aLinkOutOfAPulledTreeNeverReachesTheHost(@TempDir Path host) throws IOException {
    String name = running();
    Path src = host.resolve("src");
    write(src.resolve("file"), bytes("x"), "rw-r--r--");
    // /etc is on the host as in the container: a copied link would lead the host's reader there.
    Files.createSymbolicLink(src.resolve("out"), Path.of("/etc"));
    Files.createSymbolicLink(src.resolve("up"), Path.of("../.."));
    backend().pushTree(name, src, "/coi-links/tree", 1000, 1000);

    Path back = host.resolve("back");
    try {
      backend().pullTree(name, "/coi-links/tree", back);
    } catch (dev.coi.api.CoiException refused) {
      // Refusing the tree is one way to keep the promise; leaving the link out is another.
    }

    if (Files.exists(back)) {
      Path root = back.toAbsolutePath().normalize();
      try (var walk = Files.walk(back)) {
        for (Path p : (Iterable<Path>) walk::iterator) {
          if (Files.isSymbolicLink(p)) {
            Path to = p.getParent().resolve(Files.readSymbolicLink(p)).normalize();
            assertTrue(to.startsWith(root), p + " leads out of the pulled tree to " + to);
          }
        }
      }
    }
  }
}
