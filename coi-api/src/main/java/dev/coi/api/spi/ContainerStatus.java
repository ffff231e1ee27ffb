package dev.coi.api.spi;

/** The few states of a container that coi acts on. */
public enum ContainerStatus {
  RUNNING,
  STOPPED,
  /** Starting, stopping, frozen or in error: neither usable nor reusable right now. */
  OTHER
}
