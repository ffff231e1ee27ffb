package dev.coi.core.internal;

import dev.coi.api.BackendUnavailableException;
import dev.coi.api.spi.SessionStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Chooses the session store: of those on the class path, the available one with the highest
 * priority.
 */
final class SessionStores {
  private SessionStores() {}

  static SessionStore discover(Map<String, String> settings) {
    List<SessionStore> found = new ArrayList<>();
    ServiceLoader.load(SessionStore.class, SessionStores.class.getClassLoader())
        .forEach(
            store -> {
              store.configure(settings);
              found.add(store);
            });
    found.sort(Comparator.comparingInt(SessionStore::priority).reversed());
    for (SessionStore store : found) {
      if (store.availability().isAvailable()) {
        return store;
      }
    }
    throw new BackendUnavailableException("no session store is available");
  }
}
