package dev.coi.hostfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A racing thread plays the agent: it swaps a directory of the tree for a link to a host directory
 * and back, as fast as it can, while the tree is walked, copied, chowned and deleted. Whatever the
 * interleaving, the host directory must stay as it was; an operation may fail, never reach it.
 */
class HostTreesRaceTest {
  private static final int ROUNDS = 300;

  @TempDir Path tmp;

  @Test
  void swapsDuringCopyChownWalkAndDeleteNeverReachTheHost() throws Exception {
    Path host = Files.createDirectory(tmp.resolve("host"));
    Files.writeString(host.resolve("victim"), "keep\n");
    Files.createDirectory(host.resolve("sub"));
    Files.writeString(host.resolve("sub/victim2"), "keep too\n");
    Map<String, String> before = HostTreesTest.snapshot(host);

    AtomicInteger swaps = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    for (int round = 0; round < ROUNDS; round++) {
      Path tree = Files.createDirectory(tmp.resolve("tree" + round));
      Path dir = Files.createDirectories(tree.resolve("d/e"));
      Files.writeString(dir.resolve("f"), "agent\n");
      Files.writeString(tree.resolve("d/g"), "agent\n");
      AtomicBoolean stop = new AtomicBoolean();
      Thread agent = new Thread(() -> swapLoop(tree.resolve("d"), host, stop, swaps));
      agent.start();
      Path copy = tmp.resolve("copy" + round);
      try {
        switch (round % 4) {
          case 0:
            HostTrees.copy(tree, copy, HostTrees.CopyObserver.NONE);
            break;
          case 1:
            HostTrees.chown(tree, 4242, 4242);
            break;
          case 2:
            HostTrees.walk(tree, (parent, entry, relative) -> parent.stat(entry.name()));
            break;
          default:
            HostTrees.delete(tree);
        }
      } catch (IOException e) {
        failures.incrementAndGet(); // refused: a swap was seen
      } finally {
        stop.set(true);
        agent.join();
      }
      assertEquals(before, HostTreesTest.snapshot(host), "round " + round);
      Path copied = copy.resolve("d");
      if (Files.isDirectory(copied, LinkOption.NOFOLLOW_LINKS)) {
        // A link copied as a link is fine; a directory holding the host's files is not.
        assertTrue(
            !Files.exists(copied.resolve("victim"), LinkOption.NOFOLLOW_LINKS)
                && !Files.exists(copied.resolve("sub"), LinkOption.NOFOLLOW_LINKS),
            "host files were copied through the link in round " + round);
      }
    }
    assertTrue(swaps.get() > ROUNDS, "the agent swapped only " + swaps.get() + " times");
    System.out.println(
        "swaps: " + swaps.get() + ", operations refused: " + failures.get() + " of " + ROUNDS);
  }

  /** Swaps {@code dir} for a link to {@code host} and back until stopped. */
  private static void swapLoop(Path dir, Path host, AtomicBoolean stop, AtomicInteger swaps) {
    Path aside = dir.resolveSibling("d.aside");
    while (!stop.get()) {
      try {
        Files.move(dir, aside);
        Files.createSymbolicLink(dir, host);
        Files.delete(dir);
        Files.move(aside, dir);
        swaps.incrementAndGet();
      } catch (IOException e) {
        // The tree is being deleted under us: nothing left to swap.
        if (!Files.exists(dir.getParent())) {
          return;
        }
        try {
          if (Files.isSymbolicLink(dir)) {
            Files.delete(dir);
          }
          if (Files.exists(aside, LinkOption.NOFOLLOW_LINKS)) {
            Files.move(aside, dir);
          }
        } catch (IOException ignored) {
          // try again
        }
      }
    }
  }
}
