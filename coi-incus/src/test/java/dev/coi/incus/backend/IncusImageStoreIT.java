package dev.coi.incus.backend;

import dev.coi.api.spi.ContainerBackend;
import dev.coi.tck.ImageStoreContract;

/** The Incus backend's image store against the real daemon. */
class IncusImageStoreIT extends ImageStoreContract {
  @Override
  protected ContainerBackend newBackend() {
    return new IncusContainerBackend();
  }

  @Override
  protected String image() {
    return "coi-test-min";
  }
}
