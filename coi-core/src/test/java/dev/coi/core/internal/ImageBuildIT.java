package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.BuildListener;
import dev.coi.api.BuildResult;
import dev.coi.api.BuildStep;
import dev.coi.api.ImageBuild;
import dev.coi.api.ImageBuildException;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.ExecSpec;
import dev.coi.api.spi.ImageInfo;
import dev.coi.api.spi.ImageStore;
import dev.coi.incus.backend.IncusContainerBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image builds on the real daemon, from the busybox test image (seconds each). */
class ImageBuildIT {
  @TempDir Path dir;
  private IncusContainerBackend backend;
  private ImageStore store;
  private String name;
  private Path script;
  private final List<String> steps = new ArrayList<>();
  private final List<String> output = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    backend = new IncusContainerBackend();
    store = backend.imageStore().orElseThrow();
    name = "coi-test-build-" + UUID.randomUUID().toString().substring(0, 8);
    script = dir.resolve("recipe.sh");
    Files.writeString(dir.resolve("greeting.txt"), "hello from the host\n");
    Files.writeString(
        script,
        "#!/bin/sh\n"
            + "# coi-build: file greeting.txt\n"
            + "set -e\n"
            + "echo building in $(pwd)\n"
            + "cp \"$COI_BUILD_DIR/files/greeting.txt\" /etc/greeting\n"
            + "id -u > /etc/built-by\n");
  }

  @AfterEach
  void tearDown() {
    versions().forEach(i -> store.delete(i.fingerprint()));
    buildContainers().forEach(c -> backend.delete(c.name()));
    backend.close();
  }

  private List<ImageInfo> versions() {
    return store.list().stream()
        .filter(i -> name.equals(i.properties().get(ImageBuildRun.PROPERTY_IMAGE)))
        .toList();
  }

  private List<ContainerInfo> buildContainers() {
    return backend.list().stream()
        .filter(c -> name.equals(c.labels().get(ContainerLabel.BUILD.key())))
        .toList();
  }

  private BuildResult build(ImageBuild.Builder spec) {
    return new ImageBuildRun(
            backend, store, spec.build(), "coi-test-min", 3, "it", dir.resolve("cache"))
        .run();
  }

  private ImageBuild.Builder spec() {
    return ImageBuild.builder()
        .name(name)
        .script(script)
        .listener(
            new BuildListener() {
              @Override
              public void step(BuildStep step, String detail) {
                steps.add(step.label());
              }

              @Override
              public void output(String line) {
                output.add(line);
              }
            });
  }

  /** Runs a command as root in a fresh container of the image, and deletes it. */
  private String runIn(String image, String... command) {
    String container = "coi-test-build-run-" + UUID.randomUUID().toString().substring(0, 8);
    backend.create(
        ContainerSpec.builder().name(container).image(image).putLabels("test", name).build());
    try {
      return backend.exec(container, ExecSpec.builder().command(List.of(command)).build()).stdout();
    } finally {
      backend.delete(container);
    }
  }

  @Test
  void aBuildGoesThroughEveryStepAndLeavesOneImageAndNoContainer() {
    BuildResult result = build(spec());

    assertFalse(result.skipped());
    assertEquals(
        List.of("check", "launch", "push", "run", "stop", "publish", "alias", "prune"), steps);
    assertTrue(output.contains("building in /coi-build"), output.toString());
    assertEquals(1, versions().size());
    ImageInfo image = store.find(name).orElseThrow();
    assertEquals(result.fingerprint(), image.fingerprint());
    assertTrue(image.aliases().contains(result.versionAlias()), image.aliases().toString());
    assertEquals(
        store.find("coi-test-min").orElseThrow().fingerprint(),
        image.properties().get(ImageBuildRun.PROPERTY_BASE));
    assertTrue(buildContainers().isEmpty(), "build container left: " + buildContainers());
    assertEquals("hello from the host\n0\n", runIn(name, "cat", "/etc/greeting", "/etc/built-by"));
    assertEquals("gone\n", runIn(name, "sh", "-c", "test -e /coi-build && echo left || echo gone"));
  }

  @Test
  void theMachineIdTheBuildContainerGotIsNotPublished() throws IOException {
    // As systemd does in a base with systemd: it commits the id it made at boot.
    Files.writeString(
        script, "#!/bin/sh\necho 0123456789abcdef0123456789abcdef >/etc/machine-id\n");

    build(spec());

    assertEquals("0\n", runIn(name, "sh", "-c", "wc -c </etc/machine-id"));
  }

  @Test
  void aFailingRecipeLeavesNoContainerAndTheAliasUnchanged() throws IOException {
    BuildResult good = build(spec());
    Files.writeString(script, "#!/bin/sh\necho about to fail\necho on stderr >&2\nexit 7\n");

    ImageBuildException e = assertThrows(ImageBuildException.class, () -> build(spec()));

    assertEquals(BuildStep.RUN, e.step());
    assertTrue(e.getMessage().contains("exited with code 7"), e.getMessage());
    assertTrue(
        e.lastOutput().containsAll(List.of("about to fail", "on stderr")),
        e.lastOutput().toString());
    assertTrue(buildContainers().isEmpty(), "build container left: " + buildContainers());
    assertEquals(good.fingerprint(), store.find(name).orElseThrow().fingerprint());
    assertEquals(1, versions().size());
  }

  @Test
  void upToDateIsSkippedForceReplacesAndVersionsBeyondKeepAreDeleted() {
    BuildResult first = build(spec());
    BuildResult skipped = build(spec());
    assertTrue(skipped.skipped());
    assertEquals(first.fingerprint(), skipped.fingerprint());
    assertEquals(first.versionAlias(), skipped.versionAlias());

    BuildResult second = build(spec().force(true).keep(2));
    assertFalse(second.skipped());
    assertEquals(second.fingerprint(), store.find(name).orElseThrow().fingerprint());
    assertEquals(
        Set.of(first.fingerprint(), second.fingerprint()),
        versions().stream().map(ImageInfo::fingerprint).collect(Collectors.toSet()));

    BuildResult third = build(spec().force(true).keep(2));
    assertEquals(
        Set.of(second.fingerprint(), third.fingerprint()),
        versions().stream().map(ImageInfo::fingerprint).collect(Collectors.toSet()));
    assertTrue(buildContainers().isEmpty());
  }
}
