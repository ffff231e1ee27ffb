package dev.coi.api;

import dev.coi.api.value.ValueStyle;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * What is known of a session: a live or kept container, a saved session, or both. Returned by
 * {@link Session#info()}, {@link Session#save()} and the read side of {@link Sessions}.
 *
 * <pre>{@code
 * for (SessionInfo s : Sessions.list()) {
 *   System.out.println(s.id() + " " + s.state() + " " + s.workspace());
 * }
 * }</pre>
 */
@Value.Immutable
@ValueStyle
public abstract class SessionInfo {
  SessionInfo() {}

  /** The session's id; give it to {@link SessionSpec.Builder#resume(String)} to resume it. */
  public abstract String id();

  /** The container's name; the container itself may be gone ({@link SessionState#SAVED}). */
  public abstract String container();

  public abstract Path workspace();

  public abstract int slot();

  public abstract boolean persistent();

  public abstract SessionState state();

  /** When the session started. */
  public abstract Instant created();

  /** When its agent state was last saved; empty when it never was. */
  public abstract Optional<Instant> saved();

  /** The session it resumed, if it resumed one. */
  public abstract Optional<String> resumedFrom();

  /**
   * The network of a live or kept session's container; empty for a saved session whose container is
   * gone, and for containers made before coi recorded it.
   */
  public abstract Optional<NetworkStatus> network();

  /** The caller's own labels, from {@link SessionSpec#labels()}. */
  public abstract Map<String, String> labels();

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link SessionInfo}; for engines and stores. */
  public static class Builder extends ImmutableSessionInfo.Builder {
    Builder() {}
  }
}
