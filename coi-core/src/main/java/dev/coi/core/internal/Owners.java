package dev.coi.core.internal;

import dev.coi.api.spi.ContainerInfo;
import java.util.Map;

/**
 * The program that owns a container, as its labels record it: its pid and that process's start
 * time, so that a reused pid is not mistaken for the owner.
 */
final class Owners {
  /** A pid means something only on its own machine; a daemon may serve several. */
  private static final String HOST = hostName();

  private Owners() {}

  private static String hostName() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname"))
          .strip();
    } catch (java.io.IOException | RuntimeException unknown) {
      return "";
    }
  }

  /** The labels that name this JVM as the owner. */
  static Map<String, String> ofThisProcess() {
    ProcessHandle self = ProcessHandle.current();
    return Map.of(
        ContainerLabel.HOST.key(),
        HOST,
        ContainerLabel.PID.key(),
        Long.toString(self.pid()),
        ContainerLabel.PID_STARTED.key(),
        self.info().startInstant().map(Object::toString).orElse(""));
  }

  /**
   * The owner of a detached session ({@link dev.coi.api.Session#detach()}): no program, and alive
   * as long as the container runs, until a program connects and takes it over.
   */
  static Map<String, String> nobody() {
    return Map.of(
        ContainerLabel.HOST.key(), HOST,
        ContainerLabel.PID.key(), DETACHED,
        ContainerLabel.PID_STARTED.key(), "");
  }

  private static final String DETACHED = "detached";

  /** True unless the container's owner is known to be gone. */
  static boolean alive(ContainerInfo container) {
    Map<String, String> labels = container.labels();
    if (!ContainerLabel.PID.isOn(labels)) {
      // Not made by coi's engine: never treat it as abandoned.
      return true;
    }
    return alive(
        ContainerLabel.HOST.in(labels).orElse(HOST),
        ContainerLabel.PID.in(labels).orElseThrow(),
        ContainerLabel.PID_STARTED.in(labels).orElse(""));
  }

  /** This process as one line: host, pid, start time. */
  static String describeThisProcess() {
    Map<String, String> self = ofThisProcess();
    return ContainerLabel.HOST.in(self).orElse("")
        + " "
        + ContainerLabel.PID.in(self).orElse("")
        + " "
        + ContainerLabel.PID_STARTED.in(self).orElse("")
        + "\n";
  }

  /** True unless the process a {@link #describeThisProcess()} line names is known to be gone. */
  static boolean alive(String description) {
    String[] parts = description.replace("\n", "").split(" ", -1);
    if (parts.length != 3) {
      return true;
    }
    return alive(parts[0], parts[1], parts[2]);
  }

  private static boolean alive(String host, String pidText, String started) {
    if (!HOST.equals(host) || DETACHED.equals(pidText)) {
      return true;
    }
    long pid;
    try {
      pid = Long.parseLong(pidText);
    } catch (NumberFormatException unknown) {
      return true;
    }
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(
            p ->
                started.isEmpty()
                    || p.info().startInstant().map(Object::toString).orElse("").equals(started))
        .isPresent();
  }
}
