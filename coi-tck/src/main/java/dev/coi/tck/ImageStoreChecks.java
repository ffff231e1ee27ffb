package dev.coi.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.coi.api.NotFoundException;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.ContainerStatus;
import dev.coi.api.spi.ImageInfo;
import dev.coi.api.spi.ImageStore;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What the {@link ImageStore} a backend offers must do: publish a container with an alias and
 * properties, point aliases, delete, and start containers from what it published. Part of {@link
 * ContainerBackendContract}; skipped for a backend that offers no image store.
 */
public interface ImageStoreChecks extends BackendChecks {
  /** Records an image the test published, deleted after the test; returns its fingerprint. */
  String madeImage(String fingerprint);

  /** The backend's image store; the check is skipped when it has none. */
  default ImageStore store() {
    var store = backend().imageStore();
    assumeTrue(store.isPresent(), backend().name() + " offers no image store");
    return store.orElseThrow();
  }

  /** A stopped, kept container of the contract's image, ready to publish. */
  default String stoppedContainer() {
    String name = newName();
    backend().create(spec(name).ephemeral(false).build());
    backend().stop(name);
    assertEquals(ContainerStatus.STOPPED, backend().find(name).orElseThrow().status());
    return name;
  }

  /** Publishes a container as a new image, deleted after the test; its fingerprint. */
  default String publish(String container, String alias, Map<String, String> properties) {
    return madeImage(store().publish(container, alias, properties, ImageStore.Progress.NONE));
  }

  /** A new image alias. */
  static String alias() {
    return "coi-test-img-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  default void aPublishedImageCarriesItsAliasAndProperties() {
    ImageStore store = store();
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
  default void pointAliasCreatesThenMovesAName() {
    ImageStore store = store();
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
  default void aDeletedImageIsGoneWithItsAliasesAndDeletingAgainIsNoError() {
    ImageStore store = store();
    String alias = alias();
    String fingerprint = publish(stoppedContainer(), alias, Map.of());

    store.delete(fingerprint);
    store.delete(fingerprint);

    assertTrue(store.find(alias).isEmpty());
    assertTrue(store.find(fingerprint).isEmpty());
  }

  @Test
  default void aPublishedImageStartsNewContainers() {
    String alias = alias();
    publish(stoppedContainer(), alias, Map.of());
    String name = newName();

    backend().create(ContainerSpec.builder().name(name).image(alias).build());

    assertEquals(ContainerStatus.RUNNING, backend().find(name).orElseThrow().status());
  }

  @Test
  default void publishingAMissingContainerIsNotFound() {
    ImageStore store = store();
    assertThrows(
        NotFoundException.class,
        () -> store.publish("coi-test-img-missing", alias(), Map.of(), ImageStore.Progress.NONE));
  }
}
