package dev.coi.api;

/** Where a session stands, as {@link Sessions#list()} reports it. */
public enum SessionState {
  /** Its container runs. */
  RUNNING,
  /** Its container exists but is stopped: a kept persistent container, or a leftover. */
  STOPPED,
  /** No container: only its saved agent state remains, to be resumed. */
  SAVED
}
