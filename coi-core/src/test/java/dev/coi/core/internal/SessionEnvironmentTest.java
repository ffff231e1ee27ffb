package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
  void theUsersVariablesComeLastAndWin() {
    Map<String, String> env = SessionEnvironment.of(Map.of(), Map.of("TERM", "dumb", "A", "1"));
    assertEquals("dumb", env.get("TERM"));
    assertEquals("1", env.get("A"));
    assertEquals("1", env.get("IS_SANDBOX"));
    assertEquals("/home/claude", env.get("HOME"));
  }
}
