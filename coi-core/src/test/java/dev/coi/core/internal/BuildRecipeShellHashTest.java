package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The set-up (images/build-images.sh) decides without a JVM whether coi-sandbox and coi-privileged
 * are up to date, with images/lib/common.sh's {@code coi_build_recipe_hash}: it must give the hash
 * coi build records, or every set-up would rebuild them (or none would).
 */
class BuildRecipeShellHashTest {
  private static final Path IMAGES = Path.of("..", "images").toAbsolutePath().normalize();
  @TempDir Path dir;

  private static String shellHash(Path script) throws IOException, InterruptedException {
    Process bash =
        new ProcessBuilder(
                "bash",
                "-c",
                "source \"$1\" && coi_build_recipe_hash \"$2\"",
                "bash",
                IMAGES.resolve("lib/common.sh").toString(),
                script.toString())
            .redirectErrorStream(true)
            .start();
    bash.getOutputStream().close();
    String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!bash.waitFor(60, TimeUnit.SECONDS)) {
      bash.destroyForcibly();
      throw new AssertionError("bash did not end");
    }
    assertEquals(0, bash.exitValue(), out);
    return out;
  }

  @Test
  void coisOwnRecipesHashTheSameInTheShellAndInJava() throws Exception {
    for (String image : new String[] {"coi-sandbox", "coi-privileged"}) {
      Path recipe = IMAGES.resolve(image).resolve("recipe.sh");
      assertEquals(BuildRecipe.read(recipe).hash(), shellHash(recipe), image);
    }
  }

  @Test
  void aRecipeWithFilesBelowAndAboveItHashesTheSame() throws Exception {
    Path recipe = Files.createDirectories(dir.resolve("r"));
    Files.createDirectories(recipe.resolve("sub"));
    Files.writeString(recipe.resolve("sub/a.txt"), "a\n");
    Files.write(dir.resolve("b.bin"), new byte[] {0, 37, 92, 10, (byte) 0xff});
    Path script = recipe.resolve("recipe.sh");
    Files.writeString(
        script, "#!/bin/sh\n  #  coi-build:  file sub/a.txt\n# coi-build: file ../b.bin  \necho\n");
    String before = shellHash(script);
    assertEquals(BuildRecipe.read(script).hash(), before);

    Files.writeString(recipe.resolve("sub/a.txt"), "changed\n");

    assertNotEquals(before, shellHash(script));
    assertEquals(BuildRecipe.read(script).hash(), shellHash(script));
  }
}
