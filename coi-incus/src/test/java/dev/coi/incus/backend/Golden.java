package dev.coi.incus.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Compares a value's JSON with a file under src/test/resources/egress; {@code
 * -Dcoi.golden.update=true} rewrites the files instead (then read the diff before committing).
 */
final class Golden {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Golden() {}

  static void check(String name, Object value) {
    Path file = Path.of("src/test/resources/egress", name + ".json");
    try {
      String actual = JSON.writeValueAsString(value) + "\n";
      if (Boolean.getBoolean("coi.golden.update")) {
        Files.writeString(file, actual, StandardCharsets.UTF_8);
        return;
      }
      assertEquals(Files.readString(file, StandardCharsets.UTF_8), actual, "golden file " + file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
