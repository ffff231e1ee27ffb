package dev.coi.api;

/**
 * The backend started a command but lost it: it reported the command as never started, and a second
 * attempt found that the first had run it. The command ran once and was not run again, so that it
 * never runs twice; its output and exit code are unknown. A caller that knows what the command
 * leaves behind can look for that, as {@code Session.startAgent()} looks for the agent's tmux
 * session.
 *
 * <pre>{@code
 * try {
 *   session.run(List.of("touch", "/workspace/marker"));
 * } catch (CommandLostException e) {
 *   // it ran once: check its effect rather than running it again
 * }
 * }</pre>
 */
public class CommandLostException extends BackendException {
  private static final long serialVersionUID = 1L;

  public CommandLostException(String message) {
    super(500, message);
  }
}
