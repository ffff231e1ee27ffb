package dev.coi.examples.store;

import dev.coi.api.spi.SessionStore;
import dev.coi.tck.SessionStoreContract;
import java.util.Map;

/** The example store passes the same contract suite as coi's own stores. */
class JsonFileSessionStoreTest extends SessionStoreContract {
  @Override
  protected SessionStore newStore() {
    SessionStore store = new JsonFileSessionStore();
    store.configure(Map.of("sessions_dir", trees.resolve("store").toString()));
    return store;
  }
}
