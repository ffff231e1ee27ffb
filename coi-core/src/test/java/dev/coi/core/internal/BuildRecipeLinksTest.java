package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.InvalidSpecException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recipe and the files its headers name, each swapped for a link (to a file or directory outside)
 * between the check of the headers and the read, through the reader's hook: the swap is refused,
 * and nothing outside is read. The outside holds a fifo where a followed link would lead: opening
 * it would wait for a writer forever, so a read that followed the link cannot go unnoticed.
 */
class BuildRecipeLinksTest {
  private static final String SECRET = "OUTSIDE-SECRET";
  @TempDir Path dir;
  private Path recipe;
  private Path outside;
  private final List<Path> reads = new ArrayList<>();

  @BeforeEach
  void plant() throws Exception {
    Path tree = Files.createDirectory(dir.resolve("tree")).toRealPath();
    recipe = Files.createDirectory(tree.resolve("recipe"));
    Files.createDirectories(recipe.resolve("sub"));
    Files.createDirectories(tree.resolve("shared"));
    Files.writeString(recipe.resolve("data.txt"), "data\n");
    Files.writeString(recipe.resolve("sub/inner.txt"), "inner\n");
    Files.writeString(tree.resolve("shared/up.txt"), "up\n");
    Files.writeString(
        recipe.resolve("recipe.sh"),
        "#!/bin/sh\n"
            + "# coi-build: file data.txt\n"
            + "# coi-build: file sub/inner.txt\n"
            + "# coi-build: file ../shared/up.txt\n"
            + "true\n");
    outside = Files.createDirectory(dir.resolve("outside")).toRealPath();
    Files.writeString(outside.resolve("secret.txt"), SECRET);
    Files.createDirectory(outside.resolve("sub"));
    Files.writeString(outside.resolve("sub/inner.txt"), SECRET);
    mkfifo(outside.resolve("fifo"));
    mkfifo(outside.resolve("sub/fifo"));
  }

  private static void mkfifo(Path path) throws Exception {
    assertEquals(0, new ProcessBuilder("mkfifo", path.toString()).start().waitFor());
  }

  /** A hook that, just before {@code when} is read, moves {@code swapped} away for a link. */
  private BuildRecipe.Hook swapOnRead(Path when, Path swapped, Path target) {
    return file -> {
      reads.add(file);
      if (file.equals(when)) {
        try {
          Files.move(swapped, swapped.resolveSibling(swapped.getFileName() + ".moved"));
          Files.createSymbolicLink(swapped, target);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }

  /** Reads the recipe with {@code hook}; a read that followed a link into the fifo never ends. */
  private BuildRecipe read(BuildRecipe.Hook hook) {
    return assertTimeoutPreemptively(
        Duration.ofSeconds(30), () -> BuildRecipe.read(recipe.resolve("recipe.sh"), hook));
  }

  private InvalidSpecException refused(BuildRecipe.Hook hook) {
    return assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () ->
            assertThrows(
                InvalidSpecException.class,
                () -> BuildRecipe.read(recipe.resolve("recipe.sh"), hook)));
  }

  /**
   * Reads the recipe, swapping {@code swapped} for a link to {@code target} just before {@code
   * when} is read: the read is refused, naming the symbolic link.
   */
  private InvalidSpecException refusedAsLink(Path when, Path swapped, Path target) {
    InvalidSpecException e = refused(swapOnRead(when, swapped, target));
    assertTrue(reads.contains(when), "the swap happened: " + reads);
    assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
    return e;
  }

  @Test
  void untouchedTheRecipeAndItsFilesAreReadAsTheyAre() {
    BuildRecipe read = read(BuildRecipe.Hook.NONE);

    assertEquals(3, read.files().size());
    assertArrayEquals("inner\n".getBytes(StandardCharsets.UTF_8), read.files().get(1).content());
    assertEquals("up.txt", read.files().get(2).name());
  }

  @Test
  void aFileSwappedForALinkToAFifoJustBeforeItIsReadIsRefusedUnopened() {
    Path data = recipe.resolve("data.txt");

    InvalidSpecException e = refusedAsLink(data, data, outside.resolve("fifo"));

    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
  }

  @Test
  void aFileSwappedForALinkToASecretIsRefusedAndTheSecretIsNotRead() {
    Path up = recipe.resolveSibling("shared/up.txt");

    InvalidSpecException e = refused(swapOnRead(up, up, outside.resolve("secret.txt")));

    assertTrue(e.getMessage().contains("line 4"), e.getMessage());
    assertTrue(!e.getMessage().contains(SECRET), e.getMessage());
  }

  @Test
  void aDirectorySwappedForALinkOutsideJustBeforeAFileInItIsReadIsNotEntered() {
    Path inner = recipe.resolve("sub/inner.txt");

    InvalidSpecException e = refusedAsLink(inner, recipe.resolve("sub"), outside.resolve("sub"));

    assertTrue(e.getMessage().contains("line 3"), e.getMessage());
  }

  @Test
  void theScriptSwappedForALinkJustBeforeItIsReadIsRefusedUnopened() {
    Path script = recipe.resolve("recipe.sh");

    refusedAsLink(script, script, outside.resolve("fifo"));
  }

  @Test
  void whatIsHashedAndSentIsWhatWasRead() throws IOException {
    BuildRecipe before = read(BuildRecipe.Hook.NONE);
    Files.writeString(recipe.resolve("data.txt"), "changed\n");

    BuildRecipe after = read(BuildRecipe.Hook.NONE);

    assertTrue(!before.hash().equals(after.hash()), "a changed file changes the hash");
    assertArrayEquals("data\n".getBytes(StandardCharsets.UTF_8), before.files().get(0).content());
  }
}
