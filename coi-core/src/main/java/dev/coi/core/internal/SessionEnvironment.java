package dev.coi.core.internal;

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

  static Map<String, String> of(Map<String, String> hostEnv, Map<String, String> userEnv) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HOME", AGENT_HOME);
    env.put("USER", "claude");
    env.put("LOGNAME", "claude");
    env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    env.put("TERM", sanitizeTerm(hostEnv.get("TERM")));
    env.put("IS_SANDBOX", "1");
    env.putAll(userEnv);
    return env;
  }

  static String sanitizeTerm(String term) {
    return term != null && KNOWN_TERMS.contains(term) ? term : "xterm-256color";
  }
}
