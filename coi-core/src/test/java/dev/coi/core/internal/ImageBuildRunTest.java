package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.BuildListener;
import dev.coi.api.BuildResult;
import dev.coi.api.BuildStep;
import dev.coi.api.ExecResult;
import dev.coi.api.ImageBuild;
import dev.coi.api.ImageBuildException;
import dev.coi.api.InvalidSpecException;
import dev.coi.api.spi.ImageInfo;
import dev.coi.api.spi.ImageStore;
import dev.coi.tck.FakeContainerBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build's steps and their promises on the in-memory backend (the real one: ImageBuildIT). */
class ImageBuildRunTest {
  @TempDir Path dir;
  private FakeContainerBackend backend;
  private ImageStore store;
  private Path script;

  @BeforeEach
  void setUp() throws IOException {
    backend = new FakeContainerBackend("coi-test-min");
    store = backend.imageStore().orElseThrow();
    script = dir.resolve("recipe.sh");
    Files.writeString(script, "#!/bin/sh\necho hello\n");
  }

  private BuildResult build(ImageBuild.Builder spec) {
    return new ImageBuildRun(
            backend, store, spec.build(), "coi-test-min", 3, "test", dir.resolve("cache"))
        .run();
  }

  private ImageBuild.Builder spec() {
    return ImageBuild.builder().name("coi-test-x").script(script);
  }

  private List<ImageInfo> versions() {
    return store.list().stream()
        .filter(i -> "coi-test-x".equals(i.properties().get("coi.image")))
        .toList();
  }

  @Test
  void aBuildPublishesOneVersionNamesItAndLeavesNoContainer() {
    List<BuildStep> steps = new ArrayList<>();
    BuildResult result =
        build(
            spec()
                .listener(
                    new BuildListener() {
                      @Override
                      public void step(BuildStep step, String detail) {
                        steps.add(step);
                      }
                    }));

    assertFalse(result.skipped());
    assertEquals(result.fingerprint(), store.find("coi-test-x").orElseThrow().fingerprint());
    assertTrue(result.versionAlias().matches("coi-test-x-\\d{8}-\\d{6}(-\\d+)?"));
    assertEquals(1, versions().size());
    assertTrue(backend.created().isEmpty(), "no container left: " + backend.created());
    assertEquals(
        List.of(
            BuildStep.CHECK,
            BuildStep.LAUNCH,
            BuildStep.PUSH,
            BuildStep.RUN,
            BuildStep.STOP,
            BuildStep.PUBLISH,
            BuildStep.ALIAS,
            BuildStep.PRUNE),
        steps);
    assertEquals(List.of("/coi-build/recipe"), backend.execs().get(0).command());
  }

  @Test
  void anUnchangedRecipeOnTheSameBaseIsSkippedAndForceRebuilds() {
    BuildResult first = build(spec());
    BuildResult again = build(spec());
    BuildResult forced = build(spec().force(true));

    assertTrue(again.skipped());
    assertEquals(first.fingerprint(), again.fingerprint());
    assertFalse(forced.skipped());
    assertEquals(forced.fingerprint(), store.find("coi-test-x").orElseThrow().fingerprint());
  }

  @Test
  void aChangedRecipeRebuilds() throws IOException {
    build(spec());
    Files.writeString(script, "#!/bin/sh\necho changed\n");

    assertFalse(build(spec()).skipped());
  }

  @Test
  void aFailingRecipeLeavesNoContainerNamesTheStepAndKeepsTheAlias() {
    BuildResult good = build(spec());
    backend.onExec(e -> ExecResult.of(3, "step one\n", "broken\n"));

    ImageBuildException e =
        assertThrows(ImageBuildException.class, () -> build(spec().force(true)));

    assertEquals(BuildStep.RUN, e.step());
    assertTrue(e.getMessage().startsWith("run: the recipe exited with code 3"), e.getMessage());
    assertTrue(
        e.lastOutput().containsAll(List.of("step one", "broken")), e.lastOutput().toString());
    assertTrue(backend.created().isEmpty());
    assertEquals(good.fingerprint(), store.find("coi-test-x").orElseThrow().fingerprint());
    assertEquals(1, versions().size());
  }

  @Test
  void versionsBeyondKeepAreDeletedNewestKept() {
    List<String> built = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      built.add(build(spec().force(true).keep(2)).fingerprint());
    }

    List<String> left = versions().stream().map(ImageInfo::fingerprint).sorted().toList();
    assertEquals(built.subList(2, 4).stream().sorted().toList(), left);
  }

  @Test
  void aMissingBaseIsACheckFailureAndNothingIsCreated() {
    ImageBuildException e =
        assertThrows(ImageBuildException.class, () -> build(spec().base("coi-test-nothing")));

    assertEquals(BuildStep.CHECK, e.step());
    assertTrue(e.getMessage().contains("base image 'coi-test-nothing' not found"), e.getMessage());
    assertTrue(backend.created().isEmpty());
  }

  @Test
  void anUnknownHeaderOrAMissingFileIsRefusedBeforeAnythingIsMade() throws IOException {
    Files.writeString(script, "#!/bin/sh\n# coi-build: pip requests\n");
    InvalidSpecException unknown = assertThrows(InvalidSpecException.class, () -> build(spec()));
    assertTrue(unknown.getMessage().contains("line 2"), unknown.getMessage());

    Files.writeString(script, "#!/bin/sh\n# coi-build: file missing.txt\n");
    assertThrows(InvalidSpecException.class, () -> build(spec()));
    assertTrue(backend.created().isEmpty());
  }

  @Test
  void aFileTheRecipeNamesIsPartOfItsHash() throws IOException {
    Files.writeString(dir.resolve("input.txt"), "one");
    Files.writeString(script, "#!/bin/sh\n# coi-build: file input.txt\n");
    build(spec());
    Files.writeString(dir.resolve("input.txt"), "two");

    assertFalse(build(spec()).skipped());
  }
}
