package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.coi.api.Limits;
import dev.coi.api.Sessions;
import dev.coi.core.config.Config;
import dev.coi.core.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerLimitsTest {
  @TempDir Path dir;

  private Config config(String toml) throws IOException {
    Path file = Files.writeString(dir.resolve("config.toml"), toml);
    return ConfigLoader.builder().userFile(file).home(dir).build().load();
  }

  @Test
  void noLimitsAnywhereIsAnEmptyMap() throws IOException {
    assertEquals(
        Map.of(), ContainerLimits.of(Sessions.builder().workspace(dir).build(), config("")));
  }

  @Test
  void theConfiguredLimitsAreUsedByTheirShortNames() throws IOException {
    Config config = config("[limits]\ncpu = 2\nmemory = \"4GiB\"\nprocesses = \"500\"\n");
    assertEquals(
        Map.of("cpu", "2", "memory", "4GiB", "processes", "500"),
        ContainerLimits.of(Sessions.builder().workspace(dir).build(), config));
  }

  @Test
  void eachOfTheSpecsLimitsWinsOverTheConfiguredOneAndLeavesTheOthers() throws IOException {
    Config config = config("[limits]\ncpu = \"4\"\nmemory = \"8GiB\"\n");
    Limits asked = Limits.builder().memory("1GiB").processes("100").build();
    assertEquals(
        Map.of("cpu", "4", "memory", "1GiB", "processes", "100"),
        ContainerLimits.of(Sessions.builder().workspace(dir).limits(asked).build(), config));
  }
}
