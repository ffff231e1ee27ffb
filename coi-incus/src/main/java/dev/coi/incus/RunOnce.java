package dev.coi.incus;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Runs an exec's command only once the daemon has it running, and at most once however often the
 * daemon is asked to start it. The daemon can report an exec as never started ("Failed to retrieve
 * PID of executing child process") when its command did start: Incus reads the attached process's
 * PID from a pipe after starting it, and that read can fail (seen here: a {@code tmux new-session}
 * that a retry then ran twice; in a soak under load, most such failures had started the command).
 * So each attempt runs the command through {@code /bin/sh}, which:
 *
 * <ol>
 *   <li>first reads one line, the gate, from stdin. The daemon copies the exec's stdin websocket
 *       into the command only once it has the command's PID, and closes that pipe when it fails to
 *       get it, so the command itself runs only in an attempt the daemon reports as started; {@link
 *       ExecAttempt} sends the gate first on every attempt;
 *   <li>then makes a token directory with one atomic {@code mkdir}: only the attempt that makes it
 *       runs the command, and an attempt after the first also makes {@code TOKEN/N}, so that coi
 *       can tell afterwards which attempt ran it (a safety net: with the gate, an attempt the
 *       daemon failed never gets this far);
 *   <li>then writes {@link #STARTED} to stdout, so that coi learns that the command runs without
 *       waiting for its output: until then it holds back stdin beyond what a retry can replay.
 * </ol>
 *
 * <p>On a terminal the gate is read from the terminal, whose echo of it comes out before {@link
 * #STARTED}; both are taken out of the output.
 *
 * <p>The token lives where only the exec's user can make it first: under {@code /dev} (a tmpfs that
 * only root may write, emptied when the container stops) for root, under {@code /tmp} for other
 * users. A first attempt that cannot make it at all (an unwritable {@code /tmp}) still runs the
 * command, since no other attempt can have run it; a later attempt then reports the command as lost
 * rather than risk running it twice. Tokens of execs that ended are removed by the next exec of the
 * same user in that instance. The shell ends in {@code exec}, so the command keeps the process, its
 * signals, the rest of stdin and its exit code; a command that is not found exits 127 with nothing
 * on stderr, as it does when Incus runs it directly.
 */
final class RunOnce {
  /** The line {@link #SCRIPT} reads from stdin before anything else. */
  static final byte[] GATE = {'\n'};

  /**
   * The byte {@link #SCRIPT} writes to stdout once it is past its gate and its token, just before
   * the command: the first sign that the command runs, which output streams take out ({@link
   * ExecProcessOutput}). ASCII ACK, which a terminal ignores should it ever show.
   */
  static final byte STARTED = 6;

  /**
   * Stdin starts with {@link #GATE}; {@code $1} token, {@code $2} attempt, {@code $3} spent tokens
   * to remove, then the command. Word splitting of {@code $s} is wanted: the tokens are coi's own
   * paths, without blanks.
   */
  static final String SCRIPT =
      "IFS= read -r g || exit 0; t=$1 a=$2 s=$3; shift 3; "
          + "[ -z \"$s\" ] || rm -rf $s 2>/dev/null; "
          + "if [ \"$a\" = 1 ]; then "
          + "mkdir \"$t\" 2>/dev/null || [ ! -e \"$t\" -a ! -h \"$t\" ] || exit 0; "
          + "else mkdir \"$t\" 2>/dev/null && mkdir \"$t/$a\" || exit 0; fi; "
          + "printf '\\006'; "
          + "command -v \"$1\" >/dev/null || exit 127; "
          + "exec \"$@\"";

  private final String token;
  private final List<String> spent;

  RunOnce(int user, List<String> spent) {
    this(user == 0 ? "/dev" : "/tmp", spent);
  }

  /** A token in {@code directory}: for tests that run the script outside a container. */
  RunOnce(String directory, List<String> spent) {
    this.token = directory + "/.coi-once-" + UUID.randomUUID();
    this.spent = List.copyOf(spent);
  }

  /** The argument vector that runs {@code command} as attempt {@code attempt} (from 1). */
  List<String> command(List<String> command, int attempt) {
    List<String> argv = new ArrayList<>(command.size() + 7);
    argv.add("/bin/sh");
    argv.add("-c");
    argv.add(SCRIPT);
    argv.add("coi-once");
    argv.add(token);
    argv.add(Integer.toString(attempt));
    argv.add(attempt == 1 ? String.join(" ", spent) : "");
    argv.addAll(command);
    return argv;
  }

  /** The directory that attempt {@code attempt} (2 or later) made when it ran the command. */
  String marker(int attempt) {
    return token + "/" + attempt;
  }

  /** The token, for the next exec to remove once this one has ended. */
  String token() {
    return token;
  }
}
