package dev.coi.incus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The checks that keep a pulled tree inside its target, on names and link targets alone. */
class TreePathsTest {

  @Test
  void namesThatAreNotOnePlainSegmentAreUnsafe() {
    for (String bad : new String[] {"", ".", "..", "a/b", "/etc", "../x", "a\\b", "nul\0"}) {
      assertTrue(TreePaths.unsafeName(bad).isPresent(), "should refuse '" + bad + "'");
    }
  }

  @Test
  void ordinaryNamesIncludingDotsInsideThemAreSafe() {
    for (String good :
        new String[] {"a", ".hidden", "...", "..a", "a..", "file.txt", "spaced name"}) {
      assertFalse(TreePaths.unsafeName(good).isPresent(), "should allow '" + good + "'");
    }
  }

  @Test
  void aTargetInsideTheTreeGivesItsRelativePath() {
    assertEquals(Optional.of("sub/f"), TreePaths.relativeInside("/w", "/w/sub/f"));
    assertEquals(Optional.of(""), TreePaths.relativeInside("/w", "/w"));
    assertEquals(Optional.of(""), TreePaths.relativeInside("/w/", "/w/./"));
    assertEquals(Optional.of("b"), TreePaths.relativeInside("/w", "/w/a/../b"));
    assertEquals(Optional.of("etc"), TreePaths.relativeInside("/", "/etc"));
  }

  @Test
  void aTargetOutsideTheTreeOrRelativeIsRefused() {
    assertEquals(Optional.empty(), TreePaths.relativeInside("/w", "/etc"));
    assertEquals(Optional.empty(), TreePaths.relativeInside("/w", "/w/../etc/passwd"));
    assertEquals(Optional.empty(), TreePaths.relativeInside("/w", "/"));
    // A sibling that merely shares the prefix is outside.
    assertEquals(Optional.empty(), TreePaths.relativeInside("/w", "/w-other/f"));
    assertEquals(Optional.empty(), TreePaths.relativeInside("/w", "sub/f"));
    assertEquals(Optional.empty(), TreePaths.relativeInside("/w", ""));
  }

  @Test
  void normalizingFollowsPosixEvenAboveTheRoot() {
    assertEquals("/", TreePaths.normalize("/.."));
    assertEquals("/etc", TreePaths.normalize("/../etc"));
    assertEquals("/a/c", TreePaths.normalize("//a/./b/../c/"));
  }

  @Test
  void childrenJoinWithOneSlash() {
    assertEquals("/w/a", TreePaths.child("/w", "a"));
    assertEquals("/w/a", TreePaths.child("/w/", "a"));
    assertEquals("/a", TreePaths.child("/", "a"));
  }
}
