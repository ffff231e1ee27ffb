package dev.coi.core.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The host's agent configuration in a test's home, which coi seeds sessions from. */
final class HostClaude {
  private HostClaude() {}

  /** Writes {@code ~/.claude/.credentials.json} under {@code home}; returns {@code ~/.claude}. */
  static Path credentials(Path home, String json) throws IOException {
    Path dir = Files.createDirectories(home.resolve(".claude"));
    Files.writeString(dir.resolve(".credentials.json"), json);
    return dir;
  }
}
