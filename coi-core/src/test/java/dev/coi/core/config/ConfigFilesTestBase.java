package dev.coi.core.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The configuration files of a test's own host: a home, /etc and a workspace, under one root. */
abstract class ConfigFilesTestBase {
  @TempDir Path root;

  /** The workspace's path below the root. */
  String workspaceName() {
    return "ws";
  }

  Path home() {
    return root.resolve("home");
  }

  Path systemFile() {
    return root.resolve("etc/claude-on-incus/config.toml");
  }

  Path userFile() {
    return home().resolve(".config/claude-on-incus/config.toml");
  }

  Path workspace() throws IOException {
    return Files.createDirectories(root.resolve(workspaceName()));
  }

  Path projectFile() throws IOException {
    return workspace().resolve(ConfigLoader.PROJECT_FILE);
  }
}
