package dev.coi.core.internal;

import dev.coi.api.InvalidSpecException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The environment every process of a session gets: the agent user's, then the user's own. */
final class SessionEnvironment {
  static final String AGENT_HOME = "/home/claude";

  /** Terminal types every image knows; anything else becomes {@code xterm-256color}. */
  private static final Set<String> KNOWN_TERMS =
      Set.of(
          "xterm",
          "xterm-256color",
          "xterm-color",
          "screen",
          "screen-256color",
          "tmux",
          "tmux-256color",
          "vt100",
          "vt220",
          "linux",
          "dumb");

  private SessionEnvironment() {}

  /**
   * Variables that say who and where the agent is: its state lives under this HOME, and IS_SANDBOX
   * tells it that it may act without asking. A user's value would break that, so it is refused.
   */
  private static final Set<String> FIXED = Set.of("HOME", "USER", "LOGNAME", "IS_SANDBOX");

  static Map<String, String> of(Map<String, String> hostEnv, Map<String, String> userEnv) {
    for (String name : userEnv.keySet()) {
      if (FIXED.contains(name)) {
        throw new InvalidSpecException(
            "environment variable "
                + name
                + " is set by coi for the agent user: remove it from --env or [environment]");
      }
    }
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HOME", AGENT_HOME);
    env.put("USER", "claude");
    env.put("LOGNAME", "claude");
    env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    env.put("IS_SANDBOX", "1");
    env.putAll(userEnv);
    // The user's TERM too: the image knows only common terminals.
    env.put("TERM", sanitizeTerm(userEnv.getOrDefault("TERM", hostEnv.get("TERM"))));
    return env;
  }

  static String sanitizeTerm(String term) {
    return term != null && KNOWN_TERMS.contains(term) ? term : "xterm-256color";
  }
}
