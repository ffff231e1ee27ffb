package dev.coi.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The link between the API and the engine that runs sessions ({@code coi-core} provides the one
 * implementation). {@link Sessions} finds it with {@link java.util.ServiceLoader}, so that users
 * program against {@code coi-api} alone. Users never implement or call it.
 */
public interface SessionEngine {

  /** Starts a session; the caller closes it. */
  Session start(SessionSpec spec);

  /** See {@link Sessions#connect(String)}. */
  default Session connect(String name) {
    throw new CoiException("this coi engine cannot connect to a running session");
  }

  /** See {@link Sessions#list()}. */
  List<SessionInfo> list();

  /** See {@link Sessions#find(String)}. */
  Optional<SessionInfo> find(String id);

  /** See {@link Sessions#latest(Path)}. */
  Optional<SessionInfo> latest(Path workspace);

  /** See {@link Sessions#remove(SessionInfo)}. */
  void remove(SessionInfo session);

  /** See {@link Sessions#sweep()}. */
  List<String> sweep();

  /** Higher wins when several engines are on the class path. */
  default int priority() {
    return 0;
  }
}
