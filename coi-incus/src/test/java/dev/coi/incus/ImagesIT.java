package dev.coi.incus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.BackendException;
import dev.coi.api.ConflictException;
import dev.coi.api.NotFoundException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images against the real daemon: export of the test image, import of both tarball forms, aliases,
 * publish from an instance and a snapshot. {@code coi-test-min} is only read; every image this
 * makes is new (a changed description gives a new fingerprint) and is deleted afterwards.
 */
class ImagesIT extends LiveIncusTestBase {
  private Images images;
  @TempDir Path temp;

  @BeforeEach
  void start() {
    images = live.client.images();
  }

  @Test
  void anExportedImageImportsBackInBothFormsReportingTheUpload() throws Exception {
    ImageFiles exported = images.export(LiveResources.IMAGE, temp.resolve("export"));
    assertTrue(exported.isSplit(), "the test image is a split image");
    Path rootfs = exported.rootfs().orElseThrow();
    assertEquals(
        images.get(LiveResources.IMAGE).fingerprint(), sha256(exported.metadata(), rootfs));

    // Imported as they are, the files would be coi-test-min itself: a new description makes a new
    // image.
    Path meta = Files.createDirectories(temp.resolve("meta"));
    tar("-C", meta, "-xf", exported.metadata());
    Path yaml = meta.resolve("metadata.yaml");
    Files.writeString(
        yaml,
        Files.readString(yaml).replace("description: \"", "description: \"coi-test re-import of "));
    Path newMeta = temp.resolve("meta.tar");
    tar("-C", meta, "-cf", newMeta, "metadata.yaml", "templates");

    List<String> heard = Collections.synchronizedList(new ArrayList<>());
    String splitAlias = live.newAlias("img-split");
    String split =
        live.image(
            images.importSplit(newMeta, rootfs, Optional.of(splitAlias), recordingInto(heard)));

    assertEquals(sha256(newMeta, rootfs), split);
    assertEquals(split, images.get(splitAlias).fingerprint());
    long sent = Files.size(newMeta) + Files.size(rootfs);
    assertTrue(heard.get(0).startsWith("upload 0/"), heard.toString());
    String last = heard.get(heard.size() - 1);
    long total = Long.parseLong(last.substring(last.indexOf('/') + 1));
    assertTrue(total > sent, "the multipart body adds its headers: " + heard);
    assertTrue(last.equals("upload " + total + "/" + total), heard.toString());

    // The unified form: metadata and rootfs/ in one tarball.
    Path unified = Files.createDirectories(temp.resolve("unified/rootfs"));
    tar("-C", unified, "--numeric-owner", "-xpf", rootfs);
    tar("-C", meta, "-cf", temp.resolve("meta2.tar"), "metadata.yaml", "templates");
    tar("-C", unified.getParent(), "-xf", temp.resolve("meta2.tar"));
    Path tarball = temp.resolve("unified.tar.gz");
    tar(
        "-C",
        unified.getParent(),
        "--numeric-owner",
        "-czf",
        tarball,
        "metadata.yaml",
        "templates",
        "rootfs");
    heard.clear();
    String unifiedAlias = live.newAlias("img-unified");
    String whole =
        live.image(images.importUnified(tarball, Optional.of(unifiedAlias), recordingInto(heard)));

    // Gone before @TempDir's clean-up, which warns about each busybox link leading out of it.
    deleteTree(unified.getParent());
    assertEquals(sha256(tarball), whole);
    long size = Files.size(tarball);
    assertEquals("upload " + size + "/" + size, heard.get(heard.size() - 1));

    // It is a working image, and it exports back byte for byte.
    String instance = live.instance("img-run", unifiedAlias, true);
    assertTrue(live.client.instances().get(instance).isRunning());
    ImageFiles again = images.export(unifiedAlias, temp.resolve("again"));
    assertFalse(again.isSplit());
    assertArrayEquals(Files.readAllBytes(tarball), Files.readAllBytes(again.metadata()));

    // The same image once more is a conflict, and makes no alias.
    String duplicateAlias = live.newAlias("img-dup");
    assertThrows(
        ConflictException.class,
        () -> images.importUnified(tarball, Optional.of(duplicateAlias), ProgressListener.NONE));
    assertTrue(images.find(duplicateAlias).isEmpty());
  }

  @Test
  void aliasesAreMadeMovedAndRemovedLeavingTheImage() {
    String instance = live.instance("img-alias", false);
    String fingerprint =
        published(
            instance, Optional.empty(), Map.of("description", "coi-test"), ProgressListener.NONE);
    String first = live.newAlias("alias");
    String second = live.newAlias("alias");

    images.createAlias(first, fingerprint, "a test alias");
    assertEquals(fingerprint, images.get(first).fingerprint());
    assertThrows(ConflictException.class, () -> images.createAlias(first, fingerprint, ""));

    images.renameAlias(first, second);
    assertTrue(images.find(first).isEmpty());
    assertEquals(fingerprint, images.get(second).fingerprint());

    images.deleteAlias(second);
    assertTrue(images.find(second).isEmpty());
    assertTrue(images.find(fingerprint).isPresent());
    assertThrows(NotFoundException.class, () -> images.deleteAlias(second));
  }

  @Test
  void aStoppedInstanceAndItsSnapshotPublishAsImagesReportingProgress() throws IOException {
    String instance = live.instance("img-pub", false);
    // Random bytes do not compress: packing them takes the daemon a while, often long enough for
    // the once-a-second progress poll to see it; how often is up to the machine, so progress
    // heard is checked for its form, not required (ProgressTest checks the relaying itself).
    byte[] noise = new byte[48 * 1024 * 1024];
    new Random(7).nextBytes(noise);
    Path big = Files.write(temp.resolve("noise.bin"), noise);
    live.client.files().push(instance, "/noise.bin", big, 0, 0, 0644);
    live.client.snapshots().create(instance, "with-noise");

    List<String> heard = Collections.synchronizedList(new ArrayList<>());
    String snapshotAlias = live.newAlias("img-snap");
    String fromSnapshot =
        published(
            instance + "/with-noise",
            Optional.of(snapshotAlias),
            Map.of("description", "coi-test snapshot image"),
            recordingInto(heard));

    Image image = images.get(snapshotAlias);
    assertEquals(fromSnapshot, image.fingerprint());
    assertEquals("coi-test snapshot image", image.properties().get("description"));
    for (String report : heard) {
      assertTrue(report.startsWith("create_image_from_container_pack "), heard.toString());
    }

    live.client.files().delete(instance, "/noise.bin");
    String instanceAlias = live.newAlias("img-inst");
    String fromInstance =
        published(
            instance, Optional.of(instanceAlias), Map.of("os", "coi-test"), ProgressListener.NONE);

    assertNotEquals(fromSnapshot, fromInstance);
    assertEquals("coi-test", images.get(instanceAlias).properties().get("os"));
    assertTrue(images.get(instanceAlias).size() < image.size());

    live.client.instances().start(instance);
    BackendException running =
        assertThrows(
            BackendException.class,
            () -> images.publish(instance, Optional.empty(), Map.of(), ProgressListener.NONE));
    assertTrue(running.getMessage().contains("running"), running.getMessage());
  }

  /** Publishes an instance or snapshot as a new image, deleted after the test; its fingerprint. */
  private String published(
      String source,
      Optional<String> alias,
      Map<String, String> properties,
      ProgressListener progress) {
    return live.image(images.publish(source, alias, properties, progress));
  }

  /** A listener that writes down each report as {@code "stage done/total"}. */
  private static ProgressListener recordingInto(List<String> heard) {
    return (done, total, stage) -> heard.add(stage + " " + done + "/" + total);
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      for (Path path : all.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.delete(path);
      }
    }
  }

  private static String sha256(Path... files) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    for (Path file : files) {
      digest.update(Files.readAllBytes(file));
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** Runs the host's tar (tests only), stdin from /dev/null as the incus notes advise. */
  private static void tar(Object... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("tar"));
    for (Object arg : args) {
      command.add(arg.toString());
    }
    Process tar =
        new ProcessBuilder(command)
            .redirectInput(new File("/dev/null"))
            .redirectErrorStream(true)
            .start();
    String output = new String(tar.getInputStream().readAllBytes());
    assertEquals(0, tar.waitFor(), command + ": " + output);
  }
}
