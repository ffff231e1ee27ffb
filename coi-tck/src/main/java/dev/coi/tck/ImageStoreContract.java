package dev.coi.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.NotFoundException;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.ContainerStatus;
import dev.coi.api.spi.ImageInfo;
import dev.coi.api.spi.ImageStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ImageStore} must do, real or fake: an implementation's test extends this and
 * says how to make the backend and which small image it has. Images and containers made here are
 * named {@code coi-test-…} and deleted afterwards.
 */
public abstract class ImageStoreContract {
  protected ContainerBackend backend;
  protected ImageStore store;
  private final List<String> containers = new ArrayList<>();
  private final List<String> images = new ArrayList<>();

  /** A fresh backend for one test; it must offer an image store. */
  protected abstract ContainerBackend newBackend();

  /** An image the backend has, small enough to publish in seconds. */
  protected abstract String image();

  @BeforeEach
  void openStore() {
    backend = newBackend();
    store =
        backend
            .imageStore()
            .orElseThrow(() -> new AssertionError(backend.name() + " offers no image store"));
  }

  @AfterEach
  void removeWhatWasMade() {
    images.forEach(store::delete);
    containers.forEach(backend::delete);
    backend.close();
  }

  /** A stopped, kept container of {@link #image()}, ready to publish. */
  protected String stoppedContainer() {
    String name = "coi-test-img-" + UUID.randomUUID().toString().substring(0, 8);
    containers.add(name);
    backend.create(
        ContainerSpec.builder()
            .name(name)
            .image(image())
            .ephemeral(false)
            .putLabels("test", "image-store-contract")
            .build());
    backend.stop(name);
    assertEquals(ContainerStatus.STOPPED, backend.find(name).orElseThrow().status());
    return name;
  }

  protected String publish(String container, String alias, Map<String, String> properties) {
    String fingerprint = store.publish(container, alias, properties, ImageStore.Progress.NONE);
    images.add(fingerprint);
    return fingerprint;
  }

  private static String alias() {
    return "coi-test-img-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void aPublishedImageCarriesItsAliasAndProperties() {
    String alias = alias();
    String fingerprint = publish(stoppedContainer(), alias, Map.of("coi.recipe", "abc"));

    ImageInfo image = store.find(alias).orElseThrow();
    assertEquals(fingerprint, image.fingerprint());
    assertEquals(List.of(alias), image.aliases());
    assertEquals("abc", image.properties().get("coi.recipe"));
    assertTrue(store.find(fingerprint).isPresent(), "found by fingerprint too");
    assertTrue(store.list().stream().anyMatch(i -> i.fingerprint().equals(fingerprint)), "listed");
  }

  @Test
  void pointAliasCreatesThenMovesAName() {
    String container = stoppedContainer();
    // Different properties: the same container published twice alike is the same image.
    String first = publish(container, alias(), Map.of("n", "1"));
    String second = publish(container, alias(), Map.of("n", "2"));
    String name = alias();

    store.pointAlias(name, first);
    assertEquals(first, store.find(name).orElseThrow().fingerprint());
    store.pointAlias(name, second);

    assertEquals(second, store.find(name).orElseThrow().fingerprint());
    assertFalse(store.find(first).orElseThrow().aliases().contains(name));
  }

  @Test
  void aDeletedImageIsGoneWithItsAliasesAndDeletingAgainIsNoError() {
    String alias = alias();
    String fingerprint = publish(stoppedContainer(), alias, Map.of());

    store.delete(fingerprint);
    store.delete(fingerprint);

    assertTrue(store.find(alias).isEmpty());
    assertTrue(store.find(fingerprint).isEmpty());
  }

  @Test
  void aPublishedImageStartsNewContainers() {
    String alias = alias();
    publish(stoppedContainer(), alias, Map.of());
    String name = "coi-test-img-" + UUID.randomUUID().toString().substring(0, 8);
    containers.add(name);

    backend.create(ContainerSpec.builder().name(name).image(alias).build());

    assertEquals(ContainerStatus.RUNNING, backend.find(name).orElseThrow().status());
  }

  @Test
  void publishingAMissingContainerIsNotFound() {
    assertThrows(
        NotFoundException.class,
        () -> store.publish("coi-test-img-missing", alias(), Map.of(), ImageStore.Progress.NONE));
  }
}
