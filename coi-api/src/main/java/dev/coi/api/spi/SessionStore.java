package dev.coi.api.spi;

import dev.coi.api.SessionInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where ended sessions are kept: each one's description and a copy of the agent's state directory
 * ({@code ~/.claude} in the container), to be listed and resumed. Implementations are found with
 * {@link java.util.ServiceLoader} (register them in {@code
 * META-INF/services/dev.coi.api.spi.SessionStore}), need a public no-argument constructor and must
 * be cheap to construct; of the available ones, the one with the highest {@link #priority()} is
 * used unless configuration names one ({@code defaults.store}, or {@link
 * dev.coi.api.SessionSpec#store()}). coi-core's {@code file} store keeps them under {@code
 * ~/.claude-on-incus/sessions/<id>/}. Implementations are safe for concurrent use by several
 * threads and processes.
 *
 * <p>Session ids are the engine's (UUIDs); stores may refuse others that cannot name a file, with
 * an {@link dev.coi.api.InvalidSpecException}. The abstract {@code
 * dev.coi.tck.SessionStoreContract} (artifact {@code dev.coi:coi-tck}) is what every implementation
 * must pass.
 */
public interface SessionStore extends AutoCloseable {

  /** A short name, as a user would choose it in configuration ({@code file}). */
  String name();

  /** Higher wins among available stores. */
  default int priority() {
    return 0;
  }

  /**
   * Settings from coi's configuration, given once before first use; unknown keys are ignored. The
   * file store reads {@code sessions_dir} (from {@code paths.sessions_dir}).
   */
  default void configure(Map<String, String> settings) {}

  /** Whether this store can be used now, and why not; never throws. */
  Availability availability();

  /**
   * Saves a session and a copy of its state directory, atomically: until the new save is complete,
   * {@link #find} and {@link #restore} see the previous one (or none), and a crash during the save
   * leaves the previous one intact. The stored description is {@code session} with state {@link
   * dev.coi.api.SessionState#SAVED}, and with {@link SessionInfo#saved()} set to the time of the
   * save when {@code session} has none. Concurrent saves of one id end with one of them, whole.
   * Symbolic links in the state directory are kept as links, never followed; a state directory that
   * does not exist is saved as an empty one.
   */
  void save(SessionInfo session, Path stateDirectory);

  /**
   * The saved session with this id; empty when there is none. A store that holds the session but
   * cannot read it says so with a {@link dev.coi.api.CoiException} rather than hiding it.
   */
  Optional<SessionInfo> find(String id);

  /**
   * Every saved session, the most recently saved first; sessions the store cannot read are left out
   * (and logged).
   */
  List<SessionInfo> list();

  /**
   * Replaces the contents of {@code directory} (created if missing) with the saved state of a
   * session: what it held is removed first, without following links out of it. Throws {@link
   * dev.coi.api.SessionNotFoundException} when none is saved under {@code id}.
   */
  void restore(String id, Path directory);

  /** Deletes a saved session; false when there was none. */
  boolean delete(String id);

  /** Releases what the store holds; saved sessions are not touched. */
  @Override
  default void close() {}
}
