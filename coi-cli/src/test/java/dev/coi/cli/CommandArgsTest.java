package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class CommandArgsTest {

  @Test
  void oneArgumentIsAShellCommandLine() {
    assertEquals(
        List.of("sh", "-c", "npm test && echo 'done here'"),
        CommandArgs.toArgv(List.of("npm test && echo 'done here'")));
  }

  @Test
  void severalArgumentsPassUntouchedWithNoShellInBetween() {
    List<String> args = List.of("printf", "%s|", "a b", "$HOME", "it's", "\"q\"", "");
    assertEquals(args, CommandArgs.toArgv(args));
  }

  @Test
  void noCommandIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> CommandArgs.toArgv(List.of()));
  }
}
