package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** An argument that starts with {@code @} is an argument, never a host file read in its place. */
class AtArgumentsTest {
  @TempDir Path dir;

  @Test
  void anArgumentNamingAHostFileWithAtIsPassedOnAsItIs() throws IOException {
    Path notes = Files.writeString(dir.resolve("notes"), "secret words\n");
    String at = "@" + notes;

    CommandLine.ParseResult parsed = Coi.commandLine().parseArgs("run", "cat", at);

    RunCommand run = parsed.subcommand().commandSpec().commandLine().getCommand();
    assertEquals(List.of("cat", at), run.command);
  }
}
