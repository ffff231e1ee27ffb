package dev.coi.incus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.NotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pull refuses every entry that would lead a write out of its target, whatever the daemon (or the
 * instance behind it) hands over, and whatever already sits in the target on the host.
 */
class PullTreeEscapeTest {
  @TempDir Path temp;

  private Path target() {
    return temp.resolve("target");
  }

  private void pull(FakeFilesDaemon daemon) {
    try (IncusClient client = new IncusClient(daemon)) {
      client.files().pullTree(FakeFilesDaemon.INSTANCE, "/w", target());
    }
  }

  /** Everything under the temp dir but outside the target: must stay empty. */
  private List<Path> outsideTarget() throws IOException {
    try (Stream<Path> all = Files.walk(temp)) {
      return all.filter(p -> !p.equals(temp) && !p.startsWith(target()))
          .collect(Collectors.toList());
    }
  }

  @Test
  void aTreeInsideItselfIsCopiedWithLinksMadeRelative() throws IOException {
    pull(
        new FakeFilesDaemon()
            .dir("/w", "sub", "top", "link")
            .dir("/w/sub", "f")
            .file("/w/sub/f", "hi")
            .file("/w/top", "x")
            .link("/w/link", "/w/sub/f"));

    assertEquals("hi", Files.readString(target().resolve("sub/f")));
    assertEquals(Path.of("sub/f"), Files.readSymbolicLink(target().resolve("link")));
    assertEquals("hi", Files.readString(target().resolve("link")));
  }

  @Test
  void dotDotAndSlashNamesAreRefusedByName() throws IOException {
    for (String evil : new String[] {"..", ".", "a/../../x", "/etc", ""}) {
      PathEscapeException e =
          assertThrows(
              PathEscapeException.class,
              () -> pull(new FakeFilesDaemon().dir("/w", evil).file("/w/" + evil, "owned")),
              "name '" + evil + "'");
      assertTrue(e.getMessage().contains(FakeFilesDaemon.INSTANCE), e.getMessage());
      assertFalse(e.getMessage().contains("\n"), "one line");
    }
    assertEquals(List.of(), outsideTarget());
  }

  @Test
  void aSymlinkLeadingOutOfTheTreeIsRefusedAndNamed() throws IOException {
    PathEscapeException e =
        assertThrows(
            PathEscapeException.class,
            () -> pull(new FakeFilesDaemon().dir("/w", "etc").link("/w/etc", "/etc")));

    assertTrue(e.getMessage().contains("/w/etc"), e.getMessage());
    assertTrue(e.getMessage().contains("/etc, outside /w"), e.getMessage());
    assertFalse(Files.exists(target().resolve("etc"), LinkOption.NOFOLLOW_LINKS));
    assertEquals(List.of(), outsideTarget());
  }

  @Test
  void aSiblingThatSharesThePrefixIsOutside() {
    assertThrows(
        PathEscapeException.class,
        () -> pull(new FakeFilesDaemon().dir("/w", "l").link("/w/l", "/w-other/secret")));
  }

  @Test
  void aSymlinkAlreadyInTheHostTargetIsNeverWrittenThrough() throws IOException {
    Path outside = Files.createDirectories(temp.resolve("outside"));
    Files.createDirectories(target());
    Files.createSymbolicLink(target().resolve("sub"), outside);
    Files.createSymbolicLink(target().resolve("file"), outside.resolve("victim"));

    assertThrows(
        PathEscapeException.class,
        () ->
            pull(new FakeFilesDaemon().dir("/w", "sub").dir("/w/sub", "f").file("/w/sub/f", "x")));
    assertThrows(
        PathEscapeException.class,
        () -> pull(new FakeFilesDaemon().dir("/w", "file").file("/w/file", "x")));

    try (Stream<Path> left = Files.list(outside)) {
      assertEquals(List.of(), left.collect(Collectors.toList()));
    }
  }

  @Test
  void aMissingDirectoryIsNotFoundNamingInstanceAndPath() {
    NotFoundException e = assertThrows(NotFoundException.class, () -> pull(new FakeFilesDaemon()));
    assertTrue(e.getMessage().contains("/w in instance fake"), e.getMessage());
  }
}
