package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.coi.api.InvalidSpecException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionEnvironmentTest {

  @Test
  void knownTerminalsAreKeptAndExoticOnesBecomeXterm256color() {
    assertEquals("screen-256color", SessionEnvironment.sanitizeTerm("screen-256color"));
    assertEquals("xterm-256color", SessionEnvironment.sanitizeTerm("xterm-kitty"));
    assertEquals("xterm-256color", SessionEnvironment.sanitizeTerm(null));
  }

  @Test
  void theUsersVariablesAreAddedAndTheirTermIsSanitizedToo() {
    Map<String, String> env =
        SessionEnvironment.of(
            Map.of("TERM", "xterm"), Map.of("TERM", "dumb", "A", "1", "PATH", "/opt/bin"));
    assertEquals("dumb", env.get("TERM"));
    assertEquals("1", env.get("A"));
    assertEquals("/opt/bin", env.get("PATH"));
    assertEquals("1", env.get("IS_SANDBOX"));
    assertEquals("/home/claude", env.get("HOME"));
    assertEquals(
        "xterm-256color",
        SessionEnvironment.of(Map.of(), Map.of("TERM", "xterm-kitty")).get("TERM"));
  }

  @Test
  void whatSaysWhoTheAgentIsCannotBeOverridden() {
    for (String name : new String[] {"HOME", "USER", "LOGNAME", "IS_SANDBOX"}) {
      InvalidSpecException e =
          assertThrows(
              InvalidSpecException.class, () -> SessionEnvironment.of(Map.of(), Map.of(name, "x")));
      assertEquals(
          "environment variable "
              + name
              + " is set by coi for the agent user: remove it from --env or [environment]",
          e.getMessage());
    }
  }
}
