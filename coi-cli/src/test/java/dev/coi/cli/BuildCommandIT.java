package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code coi build custom} as a user runs it, on the busybox test image. */
class BuildCommandIT {
  @TempDir Path dir;
  private String name;
  private Path recipe;

  @BeforeEach
  void setUp() throws IOException {
    name = "coi-test-cli-build-" + UUID.randomUUID().toString().substring(0, 8);
    recipe = dir.resolve("recipe.sh");
    Files.writeString(recipe, "#!/bin/sh\necho made > /etc/made\n");
  }

  @AfterEach
  void removeImagesAndContainers() throws Exception {
    IncusCli.deleteImagesNamed(name);
    for (String container : buildContainers()) {
      IncusCli.run("delete", "--force", container);
    }
  }

  private CoiChild coi(String... args) throws IOException {
    return CoiChild.start(dir, dir, "coi-test-cli-build-", Map.of(), args);
  }

  /** {@code build custom NAME --script RECIPE --base coi-test-min} and {@code more}. */
  private String[] buildArgs(String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "build", "custom", name, "--script", recipe.toString(), "--base", "coi-test-min"));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  @Test
  void jsonSaysBuiltThenUpToDateAndAFailureNamesTheStepAndKeepsTheImage() throws Exception {
    String[] build = buildArgs("--format", "json");
    String first;
    try (CoiChild coi = coi(build)) {
      first = coi.readAll();
      assertEquals(0, coi.exitCode(), coi.stderr());
      assertTrue(coi.stderr().contains("coi build: publish " + name + "-"), coi.stderr());
    }
    assertTrue(
        first.matches(
            "\\{\"alias\":\""
                + name
                + "\",\"fingerprint\":\"[0-9a-f]{64}\",\"version_alias\":\""
                + name
                + "-\\d{8}-\\d{6}\",\"skipped\":false,\"seconds\":[0-9.]+}\n"),
        first);
    String fingerprint = first.replaceAll(".*\"fingerprint\":\"([0-9a-f]{64})\".*\n", "$1");

    try (CoiChild coi = coi(build)) {
      String again = coi.readAll();
      assertEquals(0, coi.exitCode(), coi.stderr());
      assertTrue(again.contains("\"fingerprint\":\"" + fingerprint + "\""), again);
      assertTrue(again.contains("\"skipped\":true"), again);
    }

    Files.writeString(recipe, "#!/bin/sh\necho first line\necho last words\nexit 4\n");
    try (CoiChild coi = coi(buildArgs("--quiet"))) {
      assertEquals(ExitCodes.FAILED, coi.exitCode());
      String err = coi.stderr();
      assertTrue(err.contains("coi: run: the recipe exited with code 4"), err);
      assertTrue(err.contains("  last words"), err);
      assertEquals(
          1, err.split("first line", -1).length - 1, "quiet: shown once, on failure: " + err);
    }
    assertTrue(IncusCli.run("query", "/1.0/images/aliases/" + name).contains(fingerprint));
    assertEquals(1, IncusCli.imagesNamed(name).size());
    assertTrue(buildContainers().isEmpty(), "left: " + buildContainers());
  }

  @Test
  void ctrlCDuringTheRecipeRemovesTheBuildContainerAndMakesNoImage() throws Exception {
    Files.writeString(recipe, "#!/bin/sh\necho recipe started\nexec sleep 600\n");
    try (CoiChild coi = coi(buildArgs())) {
      CoiChild.await(() -> coi.stderr().contains("  recipe started"), "the recipe to start");
      coi.signal("INT");
      assertEquals(ExitCodes.INTERRUPTED, coi.exitCode());
    }
    assertTrue(buildContainers().isEmpty(), "left: " + buildContainers());
    assertTrue(IncusCli.imagesNamed(name).isEmpty());
  }

  @Test
  void aMissingScriptOrBadNameIsAOneLineErrorAndNothingIsMade() throws Exception {
    try (CoiChild coi =
        coi("build", "custom", name, "--script", dir.resolve("nope.sh").toString())) {
      assertEquals(ExitCodes.FAILED, coi.exitCode());
      assertTrue(
          coi.stderr().contains("\ncoi: recipe " + dir.resolve("nope.sh") + " is not a file"),
          coi.stderr());
    }
    try (CoiChild coi = coi("build", "custom", "Bad_Name", "--script", recipe.toString())) {
      assertEquals(ExitCodes.FAILED, coi.exitCode());
      assertTrue(coi.stderr().contains("image name 'Bad_Name' is not valid"), coi.stderr());
    }
    assertTrue(buildContainers().isEmpty());
  }

  private java.util.List<String> buildContainers() throws Exception {
    String csv =
        IncusCli.run("list", "user.coi.build=" + name, "--format", "csv", "--columns", "n");
    return csv.lines().filter(l -> !l.isBlank()).toList();
  }
}
