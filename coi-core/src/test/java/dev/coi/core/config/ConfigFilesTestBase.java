package dev.coi.core.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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

  /** A loader of this host's files, with {@code env} as the environment. */
  ConfigLoader loader(Map<String, String> env) {
    return ConfigLoader.builder()
        .systemFile(systemFile())
        .userFile(userFile())
        .environment(env)
        .home(home())
        .workingDirectory(root)
        .build();
  }

  ConfigLoader loader() {
    return loader(Map.of());
  }

  Path projectFile() throws IOException {
    return workspace().resolve(ConfigLoader.PROJECT_FILE);
  }
}
