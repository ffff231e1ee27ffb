package dev.coi.core.internal;

import dev.coi.api.spi.SessionStore;
import java.util.List;
import java.util.Map;

/**
 * Chooses the session store: of those on the class path, the one configuration names, else the
 * available one with the highest priority. When none is, the error gives each one's reason.
 */
final class SessionStores {
  private static final ProviderChoice<SessionStore> CHOICE =
      new ProviderChoice<>(
          "session store",
          "defaults.store",
          "no session store on the class path: add dev.coi:coi-core",
          SessionStore::name,
          SessionStore::priority,
          SessionStore::availability,
          SessionStore::close);

  private SessionStores() {}

  /**
   * The chosen store of the class path, configured with the given settings: the one named by {@link
   * DefaultSessionEngine#USE} (a {@link dev.coi.api.ConfigException} when no store has that name, a
   * {@link dev.coi.api.BackendUnavailableException} with its reason when it is unavailable), else
   * the available one with the highest priority.
   */
  static SessionStore discover(Map<String, String> settings) {
    return choose(
        ProviderChoice.load(SessionStore.class, store -> store.configure(settings)), settings);
  }

  /** The store the settings name, or the best available one; the others are closed. */
  static SessionStore choose(List<SessionStore> candidates, Map<String, String> settings) {
    return CHOICE.choose(candidates, settings);
  }
}
