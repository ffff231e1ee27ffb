package dev.coi.core.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The commands that run the agent in a tmux session of its container and attach a terminal to it.
 * When the agent exits, a login shell takes its place in the same window, and that shell's exit
 * code is what attaching ends with once the tmux session is gone.
 *
 * <pre>{@code
 * session.run(AgentTmux.startCommand("coi-claude-1", List.of("claude")));
 * }</pre>
 */
final class AgentTmux {
  /** Where the shell that took the agent's place leaves its exit code, in the container. */
  private static final String EXIT_FILE = "/tmp/.coi-agent-exit";

  private AgentTmux() {}

  /** Starts {@code agent} in a new detached tmux session {@code tmuxSession}, in the workspace. */
  static List<String> startCommand(String tmuxSession, List<String> agent) {
    List<String> tmux = new ArrayList<>();
    tmux.addAll(
        List.of(
            "tmux",
            "new-session",
            "-d",
            "-s",
            tmuxSession,
            "-c",
            ContainerSession.WORKSPACE_TARGET));
    tmux.addAll(List.of("-x", "200", "-y", "50", "--"));
    tmux.addAll(
        List.of(
            "bash",
            "-c",
            "rm -f " + EXIT_FILE + "; \"$@\"; bash -l; s=$?; echo $s > " + EXIT_FILE + "; exit $s",
            "coi-agent"));
    tmux.addAll(agent);
    return tmux;
  }

  /**
   * Attaches to {@code tmuxSession}: ends with 0 when detached (the tmux session still there), else
   * with the last shell's code, which the agent's user wrote and could have forged (even as a FIFO,
   * hence the timeout), so only a number of at most three digits is taken; 125 when attaching
   * failed.
   */
  static List<String> attachCommand(String tmuxSession) {
    String script =
        "tmux attach-session -t \"$1\" || exit 125; tmux has-session -t \"$1\" 2>/dev/null && exit 0;"
            + " s=$(timeout 5 head -c 4 "
            + EXIT_FILE
            + " 2>/dev/null); case $s in [0-9]|[0-9][0-9]|[0-9][0-9][0-9]) exit $((10#$s % 256));;"
            + " esac; exit 0";
    return List.of("bash", "-c", script, "coi-attach", tmuxSession);
  }
}
