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

  /** {@code coi shell}: a new session, its agent started and attached. */
  int start(SessionSpec spec) {
    requireTerminal("shell");
    Session session = Sessions.start(spec);
    boolean runsOn = false;
    try {
      session.startAgent();
      runsOn = show(session, false);
    } finally {
      // This program started it: on any failure too, it ends it (state saved).
      if (runsOn) {
        detach(session, false);
      } else {
        end(session);
      }
    }
    return ExitCodes.OK;
  }

  /**
   * {@code coi attach}: a running session taken over, its agent (or, with {@code bash}, a new login
   * shell beside it) attached. The session ends here only when the user left the agent's tmux
   * session for good; otherwise, failures included, it runs on as it did before.
   */
  int attachTo(String name, boolean bash) {
    requireTerminal("attach");
    Session session = Sessions.connect(name);
    if (!bash && !agentRuns(session)) {
      session.detach();
      throw new CoiException(
          "no agent runs in session "
              + name
              + " (started by 'coi run'?): open a shell in it with 'coi attach --bash "
              + name
              + "'");
    }
    boolean over = false;
    try {
      over = !show(session, bash) && (!bash || !containerRuns(session));
    } finally {
      if (over) {
        end(session);
      } else {
        detach(session, bash);
      }
    }
    return ExitCodes.OK;
  }

  /**
   * Shows the agent (or a login shell) on the user's terminal until the user leaves it; returns
   * whether the agent's tmux session is still there afterwards.
   */
  private static boolean show(Session session, boolean bash) {
    try (UserTerminal tty = UserTerminal.open()) {
      TtyRelay.relay(
          tty, size -> bash ? session.exec(List.of("bash", "-l"), size) : session.attach(size));
    } catch (IOException e) {
      // The container vanished, or the daemon went away: whether the session goes on is below.
    }
    return agentRuns(session);
  }

  /** Lets the session run on without coi, and says how to come back. */
  private void detach(Session session, boolean bash) {
    try {
      session.detach();
    } catch (CoiException gone) {
      return;
    }
    messages.println(
        (bash ? "Left the shell" : "Detached")
            + ": session "
            + session.name()
            + " runs on. Come back with: coi attach "
            + session.name());
  }

  private static boolean containerRuns(Session session) {
    try {
      return session.run("true").isSuccess();
    } catch (CoiException gone) {
      return false;
    }
  }

  /** True while the agent's tmux session is there: the user detached, or left only a shell. */
  private static boolean agentRuns(Session session) {
    try {
      return session.run("tmux", "has-session", "-t", Session.AGENT_TMUX_SESSION).isSuccess();
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
