package dev.coi.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code [build]}: the defaults of {@code coi build}, from files and the environment. */
class BuildConfigTest {
  @TempDir Path root;

  private ConfigLoader loader(Map<String, String> env) {
    return ConfigLoader.builder()
        .userFile(root.resolve("config.toml"))
        .environment(env)
        .home(root)
        .workingDirectory(root)
        .build();
  }

  @Test
  void defaultsAreCoiBaseAndThree() {
    Config.Build build = loader(Map.of()).load().imageBuild();

    assertEquals("coi-base", build.base());
    assertEquals(3, build.keep());
  }

  @Test
  void theUserFileAndThenTheEnvironmentSetThem() throws IOException {
    Files.writeString(root.resolve("config.toml"), "[build]\nbase = \"my-base\"\nkeep = 5\n");
    assertEquals("my-base", loader(Map.of()).load().imageBuild().base());
    assertEquals(5, loader(Map.of()).load().imageBuild().keep());

    assertEquals(2, loader(Map.of("CLAUDE_ON_INCUS_BUILD_KEEP", "2")).load().imageBuild().keep());
  }

  @Test
  void aKeepThatIsNoIntegerNamesTheKey() throws IOException {
    Files.writeString(root.resolve("config.toml"), "[build]\nkeep = \"many\"\n");

    ConfigException e = assertThrows(ConfigException.class, () -> loader(Map.of()).load());
    assertTrue(e.getMessage().contains("build.keep"), e.getMessage());
  }
}
