package dev.coi.api.testing;

import dev.coi.api.spi.ContainerBackend;

/** The fake passes the same contract as the real backends, so unit tests can trust it. */
class FakeContainerBackendTest extends ContainerBackendContract {
  @Override
  protected ContainerBackend newBackend() {
    return new FakeContainerBackend("coi-test-min");
  }

  @Override
  protected String image() {
    return "coi-test-min";
  }

  @Override
  protected boolean runsCommands() {
    return false;
  }

  @Override
  protected String ownerAndMode(String container, String path) {
    return ((FakeContainerBackend) backend).ownerAndMode(container, path).orElseThrow();
  }
}
