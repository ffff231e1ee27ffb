package dev.coi.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.coi.api.ExecResult;
import dev.coi.api.RunningCommand;
import dev.coi.api.TerminalSize;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.ExecSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fake passes the same contract as the real backends, so unit tests can trust it. */
class FakeContainerBackendTest extends ContainerBackendContract {
  @Override
  protected ContainerBackend newBackend() {
    return new FakeContainerBackend("coi-test-min").runCommands();
  }

  @Override
  protected String image() {
    return "coi-test-min";
  }

  @Test
  void aTerminalStartIsAnsweredByTheHandlerWhichSeesTheTerminal() throws IOException {
    FakeContainerBackend fake = (FakeContainerBackend) backend;
    String name = newName();
    fake.create(spec(name).build());
    fake.onExec(
        e -> ExecResult.of(4, e.terminal().map(t -> t.columns() + "x" + t.rows()).orElse(""), ""));
    ExecSpec tty =
        ExecSpec.builder().command(List.of("tty")).terminal(TerminalSize.of(100, 30)).build();

    try (RunningCommand command = fake.start(name, tty)) {
      command.resize(TerminalSize.of(120, 40));

      assertEquals("100x30", new String(command.stdout().readAllBytes(), StandardCharsets.UTF_8));
      assertEquals(4, command.waitFor());
      assertEquals(List.of(tty), fake.execs());
    }
  }
}
