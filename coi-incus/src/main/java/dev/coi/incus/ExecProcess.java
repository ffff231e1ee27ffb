package dev.coi.incus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coi.api.BackendException;
import dev.coi.api.CoiException;
import dev.coi.incus.transport.WebSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A command running in an instance, its standard streams live, as {@link Exec#start} started it:
 * the Java counterpart of {@code incus exec}. Read {@link #stdout()} and {@link #stderr()} as the
 * command writes (both, or from two threads, as with {@link Process}: a command whose unread output
 * fills up waits for its reader), write {@link #stdin()}, then {@link #waitFor()} the exit code.
 *
 * <pre>{@code
 * try (ExecProcess cat = client.exec().start("demo", ExecRequest.of("cat"))) {
 *   cat.stdin().write("hello\n".getBytes(StandardCharsets.UTF_8));
 *   cat.stdin().close();
 *   String echoed = new String(cat.stdout().readAllBytes(), StandardCharsets.UTF_8);
 *   int exitCode = cat.waitFor();
 * }
 * }</pre>
 *
 * <p>With {@link ExecRequest#interactive()} the command runs on a terminal: {@link #stdout()}
 * carries everything it shows, {@link #stderr()} is empty, and {@link #resize} changes the
 * terminal's size.
 *
 * <p>Memory stays small whatever the command writes: output is read from the daemon only as fast as
 * it is consumed, by the thread that reads it. (On a terminal, what is still unread when the
 * command ends is taken into memory then: the daemon gives the exit code only after the end of the
 * output, and {@link #waitFor()} must not wait for a reader.) Each process has one daemon thread,
 * {@code coi-exec-N-control}, and a unix connection per file descriptor and for control; {@link
 * #close()} ends them all, killing the command if it still runs. Interrupting a thread in {@link
 * #waitFor()} kills the command too (the daemon cannot cancel an exec operation, but kills its
 * command when the control socket closes).
 *
 * <p>The daemon sometimes fails an exec before its command started ("Failed to retrieve PID of
 * executing child process", seen while a container boots and under load). Such an exec, with a
 * terminal or without, is started again, a few times with growing pauses, and the streams go on
 * from the new one as if nothing happened: {@link RunOnce} holds the command back until the daemon
 * has it running, so a command that never started consumed none of stdin, and what was written to
 * {@link #stdin()} meanwhile is written again (a write past {@value ExecProcessInput#REPLAY_LIMIT}
 * bytes waits until the command is known to run); a terminal gets its latest size again. {@link
 * #operationId()} names the latest attempt. The daemon can also report as not started a command
 * that did start; {@link RunOnce} makes sure such a command is not run again, and {@link
 * #waitFor()} then says its exit code is lost.
 */
public final class ExecProcess implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ExecProcess.class.getName());
  private static final AtomicLong SEQUENCE = new AtomicLong();

  /** A command runs as long as it likes (a century, in a form Duration arithmetic can take). */
  private static final Duration NO_TIME_LIMIT = Duration.ofDays(36_500);

  /** How long {@link #close()} waits for a killed command's operation to end. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  /** How long a control thread interrupted at close may take to notice. */
  private static final Duration INTERRUPT_WAIT = Duration.ofSeconds(2);

  private static final int SIGKILL = 9;

  private final Rest rest;
  private final String what;
  private final boolean interactive;
  private final Restart restart;
  private volatile ExecAttempt attempt;

  /** The terminal's latest size, for an attempt started after it was set. */
  private volatile ObjectNode lastResize;

  /** Why the command was not started again after the daemon failed to start it, for the error. */
  private volatile String notRetried = "";

  /** Every attempt's sockets, to find the attempt an ended output socket belongs to. */
  private final Map<WebSocket, ExecAttempt> attemptOf = new ConcurrentHashMap<>();

  private final ExecProcessInput stdin;
  private final ExecProcessOutput stdout;
  private final ExecProcessOutput stderr;
  private Thread controlThread;
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Set once the command is known to run, or we killed it: then it is never started again. */
  private final AtomicBoolean started = new AtomicBoolean();

  /** Done once the command is known to run, or no attempt will run it. */
  private final CompletableFuture<Void> startKnown = new CompletableFuture<>();

  /**
   * How an exec is started again after the daemon reported it not started, and how to tell
   * afterwards whether a later attempt is the one that ran the command ({@link RunOnce}).
   */
  interface Restart {
    /** Creates the exec operation of attempt {@code attempt} (from 1). */
    JsonNode start(int attempt);

    /** Whether attempt {@code attempt} (2 or later) ran the command, rather than an earlier one. */
    boolean ranAt(int attempt);

    /** The error for a command that an earlier attempt ran although the daemon said it had not. */
    CoiException lost();

    /** The exec has ended, whichever way. */
    void ended();
  }

  private ExecProcess(
      Rest rest, ExecAttempt first, String what, boolean interactive, Restart restart) {
    this.rest = rest;
    this.what = what;
    this.interactive = interactive;
    this.restart = restart;
    this.attempt = first;
    first.sockets().values().forEach(s -> attemptOf.put(s, first));
    ExecProcessOutput.Attempts attempts =
        new ExecProcessOutput.Attempts() {
          @Override
          public void started() {
            confirmStarted();
          }

          @Override
          public CompletableFuture<WebSocket> successor(WebSocket ended) {
            return successorOf(ended);
          }

          @Override
          public CompletableFuture<WebSocket.Message> firstMessage(WebSocket socket) {
            ExecAttempt of = attemptOf.get(socket);
            return of != null && of.output() == socket ? of.firstOutput() : null;
          }
        };
    // On a terminal one socket goes both ways. After the command ends the daemon sends its end
    // marker on it but keeps the operation running until we close the socket, so the end of
    // output closes it.
    this.stdout =
        new ExecProcessOutput(
            "output of " + what,
            first.output(),
            interactive ? () -> attempt.input().close() : () -> {},
            attempts,
            interactive
                ? ExecProcessOutput.Preamble.ECHO_THEN_STARTED
                : ExecProcessOutput.Preamble.STARTED);
    this.stderr =
        new ExecProcessOutput(
            "error output of " + what,
            first.sockets().get("2"),
            () -> {},
            attempts,
            ExecProcessOutput.Preamble.NONE);
    this.stdin = new ExecProcessInput(what, first.input(), this::awaitStartKnown);
  }

  /**
   * Connects the websockets of an exec operation the daemon has just created with {@code
   * wait-for-websocket}: control first, then the standard streams. The command starts once they are
   * all connected, and the daemon gives up on them after a few seconds, so this is done at once.
   */
  static ExecProcess connect(
      Rest rest, JsonNode operation, String what, boolean interactive, Restart restart) {
    ExecAttempt first;
    try {
      first = ExecAttempt.connect(rest, 1, operation, what, interactive);
    } catch (RuntimeException e) {
      restart.ended();
      throw e;
    }
    ExecProcess process = new ExecProcess(rest, first, what, interactive, restart);
    process.controlThread =
        new Thread(process::watchControl, "coi-exec-" + SEQUENCE.incrementAndGet() + "-control");
    process.controlThread.setDaemon(true);
    process.controlThread.start();
    return process;
  }

  /** The operation's id, as the daemon knows it ({@code /1.0/operations/<id>}). */
  public String operationId() {
    return attempt.operationId();
  }

  /**
   * The command's standard input. Each write goes to the daemon at once; {@code close()} ends the
   * input (on a terminal, send {@code ^D} instead, as a user would).
   */
  public OutputStream stdin() {
    return stdin;
  }

  /** The command's standard output; on a terminal, everything it shows. */
  public InputStream stdout() {
    return stdout;
  }

  /** The command's error output; empty on a terminal, where it comes through {@link #stdout()}. */
  public InputStream stderr() {
    return stderr;
  }

  /** True until the command has been seen to end. */
  public boolean isAlive() {
    return !exit.isDone();
  }

  /**
   * Sends a signal to the command ({@code 15} for SIGTERM, {@code 9} for SIGKILL …); a command
   * killed by signal n exits with 128+n. No effect once the command has ended.
   */
  public void signal(int signal) {
    sendControl(Rest.object().put("command", "signal").put("signal", signal));
  }

  /**
   * Changes the size of an interactive command's terminal (the command gets SIGWINCH). The message
   * goes over the control socket, apart from {@link #stdin()}: input written right after it may
   * reach the command first.
   */
  public void resize(int width, int height) {
    if (!interactive) {
      throw new IllegalStateException("only an interactive exec has a terminal to resize");
    }
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException(
          "a terminal needs a positive size, not " + width + "x" + height);
    }
    ObjectNode message = Rest.object().put("command", "window-resize");
    message
        .putObject("args")
        .put("width", Integer.toString(width))
        .put("height", Integer.toString(height));
    lastResize = message;
    sendControl(message);
  }

  private void sendControl(ObjectNode message) {
    if (exit.isDone()) {
      return;
    }
    try {
      attempt.control().sendText(Rest.write(message));
    } catch (IOException e) {
      // The daemon closes the control socket when the command ends: nothing left to signal.
      LOG.log(Level.DEBUG, "control message to {0} not sent: {1}", what, e.getMessage());
    }
  }

  /**
   * Waits for the command to end and returns its exit code: 128+n when signal n killed it, 127 when
   * the command was not found. Interrupting the waiting thread kills the command and throws.
   */
  public int waitFor() {
    try {
      return exit.get();
    } catch (InterruptedException e) {
      throw cancelled(e);
    } catch (ExecutionException e) {
      throw failure(e);
    }
  }

  /**
   * As {@link #waitFor()}, for at most {@code timeout}: a command still running then is a {@link
   * BackendException} (504), and goes on running.
   */
  public int waitFor(Duration timeout) {
    try {
      return exit.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new BackendException(
          504,
          what
              + " still running after "
              + timeout.toMillis()
              + " ms (operation "
              + operationId()
              + ")");
    } catch (InterruptedException e) {
      throw cancelled(e);
    } catch (ExecutionException e) {
      throw failure(e);
    }
  }

  private CoiException cancelled(InterruptedException e) {
    kill();
    Thread.currentThread().interrupt();
    return new CoiException("interrupted while waiting for " + what + ", which was killed", e);
  }

  private static CoiException failure(ExecutionException e) {
    return e.getCause() instanceof CoiException coi
        ? coi
        : new CoiException(String.valueOf(e.getCause().getMessage()), e.getCause());
  }

  /**
   * SIGKILL through the control socket, then the socket closed: the daemon kills a command whose
   * control socket goes away, and that is the only way to end its operation (it cannot be
   * cancelled).
   */
  private void kill() {
    // A command we killed is never started again, whatever its operation says.
    started.set(true);
    sendControl(Rest.object().put("command", "signal").put("signal", SIGKILL));
    attempt.control().close();
  }

  /** Output has come: the command runs, and its input is its own. */
  private void confirmStarted() {
    started.set(true);
    stdin.confirmStarted();
    startKnown.complete(null);
  }

  /** For stdin's writes past what a retry can replay. */
  private void awaitStartKnown() {
    try {
      startKnown.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      // Never completed exceptionally.
    }
  }

  /**
   * The socket that replaced {@code ended} in the next attempt, once the daemon has said how the
   * attempt of {@code ended} went; null when there is none.
   */
  private CompletableFuture<WebSocket> successorOf(WebSocket ended) {
    ExecAttempt of = attemptOf.get(ended);
    if (of == null || started.get() && attempt == of) {
      return CompletableFuture.completedFuture(null);
    }
    String fd = of.fdOf(ended);
    return of.next().thenApply(next -> next.map(n -> n.sockets().get(fd)).orElse(null));
  }

  /**
   * The control thread: reading the control socket answers the daemon's pings; the daemon closes
   * the socket once the command has ended, and the operation then holds the exit code. An attempt
   * whose command never started is replaced by a new one while that is safe.
   */
  private void watchControl() {
    while (true) {
      ExecAttempt current = attempt;
      // The command's first output says at once that it runs (RunOnce.STARTED comes first), so
      // that stdin need not wait for a reader of the output to know it.
      boolean showed = current.takeFirstOutput();
      if (showed) {
        confirmStarted();
      }
      WebSocket control = current.control();
      try {
        while (control.receive() != null) {
          // The daemon sends nothing else on this socket.
        }
      } catch (IOException e) {
        LOG.log(Level.DEBUG, "control socket of {0} broke: {1}", what, e.getMessage());
      }
      control.close();
      if (interactive && !showed) {
        // A terminal that ended without showing anything never ran its command (a started one
        // echoes its gate first), and nothing more will come on it. The daemon may hold such an
        // exec's operation until this side has closed the terminal's socket too (seen once in
        // some hundreds of no-PID failures: the wait below, and the caller's, lasted for ever),
        // so it is closed now rather than after the operation; the reader follows as it would.
        current.sockets().values().forEach(WebSocket::close);
      }
      JsonNode op;
      try {
        if (interactive) {
          // The daemon ends a terminal's operation only once its output has been read to the
          // end. (An attempt it failed shows nothing, and is left to the reader, who follows it
          // to its successor once this thread has started one.)
          stdout.drain();
        }
        // Rest.waitFor waits in slices and reads the operation's state between them; a command
        // may run as long as it likes.
        op =
            rest.waitFor(
                Operations.path(current.operationId()), NO_TIME_LIMIT, "exec of " + what, true);
      } catch (RuntimeException e) {
        current.next().complete(Optional.empty());
        ended();
        startKnown.complete(null);
        exit.completeExceptionally(e);
        return;
      }
      Optional<ExecAttempt> next = Optional.empty();
      if (Exec.isUnstarted(op) || !current.gateSent() && !started.get()) {
        next = retryable(current) ? relaunch(current) : Optional.empty();
        if (next.isEmpty() && notRetried.isEmpty()) {
          notRetried = whyNotRetried(current);
        }
      }
      current.next().complete(next);
      if (next.isEmpty()) {
        int code = -1;
        RuntimeException failure = null;
        try {
          code = exitCode(op);
          if (!current.gateSent() && !started.get()) {
            // The command never got past its gate: whatever the operation says, it did not run.
            failure =
                new BackendException(
                    500,
                    "Incus could not run "
                        + what
                        + ": the daemon closed its input before it started"
                        + (notRetried.isEmpty() ? "" : " (" + notRetried + ")"));
          } else if (current.number() > 1 && !started.get() && !restart.ranAt(current.number())) {
            // This attempt found the token of an earlier one: that one ran the command.
            failure = restart.lost();
          }
        } catch (RuntimeException e) {
          failure = e;
        }
        // Before the exit is known, so that the caller's next exec removes this one's token.
        ended();
        startKnown.complete(null);
        if (failure == null) {
          exit.complete(code);
        } else {
          exit.completeExceptionally(failure);
        }
        return;
      }
    }
  }

  private boolean retryable(ExecAttempt current) {
    return !started.get()
        && !closed.get()
        && stdin.replayable()
        && current.number() < Exec.ATTEMPTS;
  }

  private String whyNotRetried(ExecAttempt current) {
    if (current.number() >= Exec.ATTEMPTS) {
      return "not started in " + current.number() + " attempts";
    }
    if (started.get()) {
      return "output had come";
    }
    if (closed.get()) {
      return "closed meanwhile";
    }
    if (!stdin.replayable()) {
      return "its input was past what can be replayed";
    }
    return "not to be started again";
  }

  /** Starts the command again after a pause; empty (the first failure stands) when that fails. */
  private Optional<ExecAttempt> relaunch(ExecAttempt failed) {
    LOG.log(
        Level.DEBUG,
        "the daemon did not start {0} (operation {1}): starting it again",
        what,
        failed.operationId());
    try {
      Thread.sleep(Exec.pauseBefore(failed.number()));
      JsonNode operation = restart.start(failed.number() + 1);
      ExecAttempt next =
          ExecAttempt.connect(rest, failed.number() + 1, operation, what, interactive);
      next.sockets().values().forEach(s -> attemptOf.put(s, next));
      failed.sockets().values().forEach(WebSocket::close);
      attempt = next;
      if (lastResize != null) {
        sendControl(lastResize);
      }
      stdin.switchTo(next.input());
      if (closed.get()) {
        // Closed meanwhile: the new attempt goes the way of the old.
        kill();
      }
      return Optional.of(next);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "starting {0} again failed: {1}", what, e.getMessage());
      notRetried = "attempt " + (failed.number() + 1) + " failed: " + e.getMessage();
      return Optional.empty();
    }
  }

  private void ended() {
    restart.ended();
  }

  private int exitCode(JsonNode op) {
    JsonNode metadata = op.path("metadata");
    if (!metadata.has("return") || metadata.path("return").asInt() < 0) {
      String err = op.path("err").asText("");
      throw new BackendException(
          500,
          "Incus could not run "
              + what
              + ": "
              + (err.isEmpty() ? op.path("status").asText() : err)
              + (notRetried.isEmpty() ? "" : " (" + notRetried + ")"));
    }
    return metadata.path("return").asInt();
  }

  /**
   * Ends everything: kills the command if it still runs and waits (a few seconds at most) for its
   * operation to end, closes every socket, drops output not read, and ends the threads.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    startKnown.complete(null);
    boolean interrupted = Thread.interrupted();
    try {
      if (!exit.isDone()) {
        kill();
      }
      stdout.release();
      stderr.release();
      attempt.input().close();
      // With its sockets gone the daemon ends the operation; the control thread reads its end.
      long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
      try {
        exit.get(CLOSE_WAIT.toNanos(), TimeUnit.NANOSECONDS);
      } catch (ExecutionException e) {
        // Reported by waitFor(); closing goes on.
      } catch (TimeoutException e) {
        LOG.log(
            Level.WARNING,
            "{0}: the daemon did not end operation {1} within {2} s of the kill",
            what,
            operationId(),
            CLOSE_WAIT.toSeconds());
      }
      attemptOf.keySet().forEach(WebSocket::close);
      // Not interrupted: it is in an HTTP wait, which ends with the operation.
      if (controlThread != Thread.currentThread()) {
        controlThread.join(
            Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        if (controlThread.isAlive()) {
          // A daemon that never ends the operation: the wait gives up on an interrupt.
          controlThread.interrupt();
          controlThread.join(INTERRUPT_WAIT.toMillis());
        }
      }
    } catch (InterruptedException e) {
      interrupted = true;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return "ExecProcess[" + what + ", operation " + operationId() + "]";
  }
}
