package dev.coi.api.spi;

import dev.coi.api.Session;
import dev.coi.api.SessionSpec;

/**
 * The link between the API and the engine that runs sessions ({@code coi-core} provides the one
 * implementation). {@link dev.coi.api.Sessions} finds it with {@link java.util.ServiceLoader}, so
 * that users program against {@code coi-api} alone.
 */
public interface SessionEngine {

  /** Starts a session; the caller closes it. */
  Session start(SessionSpec spec);

  /** Higher wins when several engines are on the class path. */
  default int priority() {
    return 0;
  }
}
