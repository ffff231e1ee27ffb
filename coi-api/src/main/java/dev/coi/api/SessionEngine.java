package dev.coi.api;

/**
 * The link between the API and the engine that runs sessions ({@code coi-core} provides the one
 * implementation). {@link Sessions} finds it with {@link java.util.ServiceLoader}, so that users
 * program against {@code coi-api} alone. Users never implement or call it.
 */
public interface SessionEngine {

  /** Starts a session; the caller closes it. */
  Session start(SessionSpec spec);

  /** Higher wins when several engines are on the class path. */
  default int priority() {
    return 0;
  }
}
