package dev.coi.tck;

import dev.coi.api.spi.ContainerBackend;

/** The fake's image store passes the contract the real one does. */
class FakeImageStoreTest extends ImageStoreContract {
  @Override
  protected ContainerBackend newBackend() {
    return new FakeContainerBackend("coi-test-min");
  }

  @Override
  protected String image() {
    return "coi-test-min";
  }
}
