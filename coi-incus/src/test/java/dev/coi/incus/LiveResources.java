package dev.coi.incus;

import dev.coi.api.CoiException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * What one integration test made on the real daemon, through a client it shares: instances (from
 * the small {@code coi-test-min} image), images and aliases, all named {@code coi-test-…}. {@link
 * #close()} removes them, also after a failed test; instances carry {@code user.coi.test} and the
 * owning {@code user.coi.pid}, as {@link LeakCheck} expects.
 */
final class LiveResources implements AutoCloseable {
  static final String IMAGE = "coi-test-min";

  final IncusClient client;
  private final List<String> instances = new ArrayList<>();
  private final List<String> images = new ArrayList<>();
  private final List<String> aliases = new ArrayList<>();

  LiveResources(IncusClient client) {
    this.client = client;
  }

  /** A unique name {@code coi-test-<area>-<random>}, not yet used for anything. */
  static String name(String area) {
    return "coi-test-" + area + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A new instance of the test image, started or not, removed on close. */
  String instance(String area, boolean start) {
    return instance(area, IMAGE, start);
  }

  /** A new instance of an image (alias or fingerprint), removed on close. */
  String instance(String area, String image, boolean start) {
    String name = name(area);
    instances.add(name);
    client.instances().create(LeakCheck.testInstance(name, area).image(image).start(start).build());
    return name;
  }

  /** An image the test made, deleted on close (with its aliases). */
  String image(String fingerprint) {
    images.add(fingerprint);
    return fingerprint;
  }

  /** A new alias name for the test to make, deleted on close if it is there. */
  String newAlias(String area) {
    return alias(name(area));
  }

  /** An alias the test made, deleted on close if it is still there. */
  String alias(String name) {
    aliases.add(name);
    return name;
  }

  @Override
  public void close() {
    List<RuntimeException> failures = new ArrayList<>();
    List<String> reversed = new ArrayList<>(aliases);
    Collections.reverse(reversed);
    for (String alias : reversed) {
      quietly(
          failures,
          () -> client.images().find(alias).ifPresent(i -> client.images().deleteAlias(alias)));
    }
    for (String fingerprint : images) {
      quietly(
          failures,
          () ->
              client
                  .images()
                  .find(fingerprint)
                  .ifPresent(i -> client.images().delete(fingerprint)));
    }
    for (String name : instances) {
      quietly(
          failures,
          () ->
              client
                  .instances()
                  .find(name)
                  .ifPresent(
                      i -> {
                        if (!i.isStopped()) {
                          client.instances().stop(name, true);
                        }
                        client.instances().delete(name);
                      }));
    }
    // The leak check for images: LeakCheck sees instances by label, but images carry none, so
    // every image and alias the test made is checked gone here.
    checkGone(failures, images, "image");
    checkGone(failures, aliases, "image alias");
    if (!failures.isEmpty()) {
      CoiException e = new CoiException("could not remove what the test made");
      failures.forEach(e::addSuppressed);
      throw e;
    }
  }

  /** Adds a failure for each of {@code references} (fingerprints or aliases) still there. */
  private void checkGone(List<RuntimeException> failures, List<String> references, String what) {
    for (String reference : references) {
      quietly(
          failures,
          () -> {
            if (client.images().find(reference).isPresent()) {
              throw new CoiException(what + " left behind: " + reference);
            }
          });
    }
  }

  private static void quietly(List<RuntimeException> failures, Runnable cleanup) {
    try {
      cleanup.run();
    } catch (RuntimeException e) {
      failures.add(e);
    }
  }
}
