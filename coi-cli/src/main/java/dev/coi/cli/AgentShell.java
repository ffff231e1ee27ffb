package dev.coi.cli;

import dev.coi.api.CoiException;
import dev.coi.api.Session;
import dev.coi.api.SessionInfo;
import dev.coi.api.SessionSpec;
import dev.coi.api.Sessions;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

/**
 * The interactive agent: {@code coi shell} starts a session and its agent in tmux, {@code coi
 * attach} comes back to one; both show it on the user's terminal until the user leaves. Leaving the
 * agent drops to a shell in the container (the SDK's tmux window does that); leaving that shell
 * ends the tmux session and with it the session: state saved, an ephemeral container removed.
 * Detaching tmux (Ctrl+B d) leaves the session running, {@linkplain Session#detach() detached} from
 * this program, and says how to come back.
 */
final class AgentShell {
  private final PrintStream messages;

  AgentShell(PrintStream messages) {
    this.messages = messages;
  }

  /**
   * {@code coi shell}: a new session, its agent started and attached; the exit code of the shell
   * that took the agent's place when the user left it, 0 when the user detached.
   */
  int start(SessionSpec spec) {
    requireTerminal("shell");
    Session session = Sessions.start(spec);
    Shown shown = null;
    try {
      session.startAgent();
      shown = show(session);
    } finally {
      // This program started it: on any failure too, it ends it (state saved).
      if (shown != null && shown.agentRuns()) {
        detach(session);
      } else {
        end(session);
      }
    }
    return shown.exitCode();
  }

  /**
   * {@code coi attach}: a running session's agent attached, the session taken over only once it is
   * known to have one, so that a refused attach leaves its owner as it was. The session ends here
   * only when the user left the agent's tmux session for good; otherwise, failures included, it
   * runs on, detached. With {@code bash}, a login shell beside the agent, and nothing taken over.
   */
  int attachTo(String name, boolean bash) {
    requireTerminal("attach");
    if (bash) {
      return shellBeside(name);
    }
    // Unknown, not coi's or not running: the engine's own one-line error, nothing touched.
    if (!Sessions.run(name, hasAgent(name)).isSuccess()) {
      throw new CoiException(
          "no agent runs in session "
              + name
              + " (started by 'coi run'?): open a shell in it with 'coi attach --bash "
              + name
              + "'");
    }
    Session session = Sessions.connect(name);
    Shown shown = null;
    try {
      shown = show(session);
    } finally {
      if (shown != null && !shown.agentRuns()) {
        end(session);
      } else {
        detach(session);
      }
    }
    return ExitCodes.OK;
  }

  /** {@code coi attach --bash}: a login shell in the container; its owner stays its owner. */
  private int shellBeside(String name) {
    int code;
    try (UserTerminal tty = UserTerminal.open()) {
      code = TtyRelay.relay(tty, size -> Sessions.exec(name, List.of("bash", "-l"), size));
    } catch (IOException e) {
      code = ExitCodes.OK;
    }
    if (containerRuns(name)) {
      messages.println(
          "Left the shell: session " + name + " runs on. Come back with: coi attach " + name);
    }
    return code;
  }

  /** What the user's leaving the agent's terminal left behind. */
  private record Shown(int exitCode, boolean agentRuns) {}

  /** Shows the agent on the user's terminal until the user leaves it (or detaches). */
  private static Shown show(Session session) {
    int code = ExitCodes.OK;
    try (UserTerminal tty = UserTerminal.open()) {
      code = TtyRelay.relay(tty, session::attach);
    } catch (IOException e) {
      // The container vanished, or the daemon went away: whether the session goes on is below.
    }
    boolean runs = agentRuns(session.name());
    // A container powered off under the attached command leaves no code worth passing on.
    return new Shown(runs || code < 0 || code > 255 ? ExitCodes.OK : code, runs);
  }

  /** Lets the session run on without coi, and says how to come back. */
  private void detach(Session session) {
    try {
      session.detach();
    } catch (CoiException gone) {
      return;
    }
    messages.println(
        "Detached: session "
            + session.name()
            + " runs on. Come back with: coi attach "
            + session.name());
  }

  private static List<String> hasAgent(String name) {
    return List.of("tmux", "has-session", "-t", Session.agentTmuxSession(name));
  }

  private static boolean containerRuns(String name) {
    try {
      return Sessions.run(name, List.of("true")).isSuccess();
    } catch (CoiException gone) {
      return false;
    }
  }

  /** True while the agent's tmux session is there: the user detached, or left only a shell. */
  private static boolean agentRuns(String name) {
    try {
      return Sessions.run(name, hasAgent(name)).isSuccess();
    } catch (CoiException containerGone) {
      // Powered off from inside ("sudo poweroff"), or deleted: the session is over.
      return false;
    }
  }

  /** Ends the session and says where its state went. */
  private void end(Session session) {
    session.close();
    SessionInfo info;
    try {
      info = session.info();
    } catch (CoiException unknown) {
      return;
    }
    if (info.saved().isPresent()) {
      messages.println(
          "Session "
              + info.id()
              + " ended, its state saved: resume it with 'coi shell --resume "
              + info.id()
              + "'.");
    }
  }

  private static void requireTerminal(String command) {
    if (!UserTerminal.available()) {
      throw new CoiException(
          "coi "
              + command
              + " needs a terminal, and stdin or stdout is not one: run it in a terminal, or use"
              + " 'coi run' for a command without one");
    }
  }
}
