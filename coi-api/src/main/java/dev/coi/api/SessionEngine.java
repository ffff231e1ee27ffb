package dev.coi.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

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

  /** See {@link Sessions#sweep(Predicate)}. */
  List<String> sweep(Predicate<SessionInfo> which);

  /** See {@link Sessions#networkSupport()}. */
  default NetworkSupport networkSupport() {
    return NetworkSupport.withoutInterface("this engine gives containers no network");
  }

  /** See {@link Sessions#kill(String)}. */
  void kill(String container);

  /** See {@link Sessions#shutdown(String, java.time.Duration)}. */
  void shutdown(String container, java.time.Duration timeout);

  /** See {@link Sessions#persist(String)}. */
  SessionInfo persist(String container);

  /** See {@link Sessions#run(String, List)}. */
  ExecResult run(String container, List<String> command);

  /** See {@link Sessions#profiles(Path)}. */
  List<String> profiles(Path workspace);

  /** See {@link Sessions#exec(String, List, TerminalSize)}. */
  RunningCommand exec(String container, List<String> command, TerminalSize terminal);

  /** See {@link Sessions#images()}. */
  List<ImageInfo> images();

  /** See {@link Sessions#configuration(Path)}. */
  List<ConfigSetting> configuration(Path workspace);

  /** See {@link Sessions#checkHost()}. */
  List<HostCheck> checkHost();

  /** Higher wins when several engines are on the class path. */
  default int priority() {
    return 0;
  }
}
