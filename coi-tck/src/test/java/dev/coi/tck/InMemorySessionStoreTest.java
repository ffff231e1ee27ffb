package dev.coi.tck;

import dev.coi.api.spi.SessionStore;

/** The fake passes the same contract as the file store, so unit tests can trust it. */
class InMemorySessionStoreTest extends SessionStoreContract {
  @Override
  protected SessionStore newStore() {
    return new InMemorySessionStore();
  }
}
