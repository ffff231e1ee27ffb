package dev.coi.examples;

import dev.coi.api.CoiException;
import dev.coi.api.ExecResult;
import dev.coi.api.Session;
import dev.coi.api.Sessions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Runs a queue of N tasks over K parallel sessions ("slots") of one workspace, the way an agent
 * orchestrator does: each slot is one container, taking the next task as soon as it is free. A task
 * here is a shell command standing in for an agent's prompt; it sees its number as {@code $TASK}.
 * Each result is printed with its exit code and time; a failing task does not stop the others;
 * every container is removed at the end, also when the program is stopped with Ctrl+C.
 *
 * <pre>{@code
 * java -cp ... dev.coi.examples.Orchestrator /path/to/repo 4 8 'sleep 3; echo done $TASK'
 * }</pre>
 *
 * Exit code: 0 when every task succeeded, 1 when one failed, 2 for bad arguments.
 */
public final class Orchestrator {
  private final Path workspace;
  private final int slots;
  private final BlockingQueue<Integer> queue = new LinkedBlockingQueue<>();
  private final List<Result> results = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<Session> open = new ConcurrentLinkedQueue<>();

  /** What one task left: its number, the slot that ran it, its exit code and how long it took. */
  record Result(int task, int slot, int exitCode, Duration time, String output) {}

  private Orchestrator(Path workspace, int slots, int tasks) {
    this.workspace = workspace;
    this.slots = slots;
    for (int t = 1; t <= tasks; t++) {
      queue.add(t);
    }
  }

  public static void main(String[] args) throws InterruptedException {
    if (args.length < 3) {
      System.err.println("usage: Orchestrator WORKSPACE SLOTS TASKS [SHELL-COMMAND]");
      System.exit(2);
    }
    int slots;
    int tasks;
    try {
      slots = Integer.parseInt(args[1]);
      tasks = Integer.parseInt(args[2]);
    } catch (NumberFormatException e) {
      slots = tasks = 0;
    }
    if (slots < 1 || tasks < 0) {
      System.err.println("SLOTS must be 1 or more and TASKS 0 or more, as whole numbers");
      System.exit(2);
    }
    String command =
        args.length > 3
            ? String.join(" ", Arrays.copyOfRange(args, 3, args.length))
            : "echo task $TASK";
    Orchestrator orchestrator = new Orchestrator(Path.of(args[0]), slots, tasks);
    // Ctrl+C or SIGTERM: end every open session (its container goes); close() is safe to repeat.
    Thread cleanup = new Thread(orchestrator::closeAll, "orchestrator-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    boolean allPassed = orchestrator.run(command);
    System.exit(allPassed ? 0 : 1);
  }

  /** Runs every task; true when all exited 0. */
  private boolean run(String command) throws InterruptedException {
    long start = System.nanoTime();
    List<Thread> workers = new ArrayList<>();
    for (int k = 0; k < slots; k++) {
      Thread worker = new Thread(() -> work(command), "slot-worker-" + k);
      worker.start();
      workers.add(worker);
    }
    for (Thread worker : workers) {
      worker.join();
    }
    Duration wall = Duration.ofNanos(System.nanoTime() - start);
    long failed = results.stream().filter(r -> r.exitCode() != 0).count();
    System.out.printf(
        Locale.ROOT,
        "%d tasks over %d slots: %d failed, wall time %.2f s%n",
        results.size(),
        slots,
        failed,
        wall.toMillis() / 1000.0);
    return failed == 0 && queue.isEmpty();
  }

  /** One slot: a session of its own, running tasks from the queue until it is empty. */
  private void work(String command) {
    Session session;
    try {
      session = Sessions.builder().workspace(workspace).start();
    } catch (CoiException e) {
      System.err.println("a slot could not start: " + e.getMessage());
      return;
    }
    open.add(session);
    try {
      Integer task;
      while ((task = queue.poll()) != null) {
        results.add(runOne(session, task, command));
      }
    } finally {
      session.close();
      open.remove(session);
    }
  }

  private static Result runOne(Session session, int task, String command) {
    long start = System.nanoTime();
    int exitCode;
    String output;
    try {
      ExecResult r = session.run("sh", "-c", "TASK=" + task + "; export TASK; " + command);
      exitCode = r.exitCode();
      output = (r.stdout() + r.stderr()).strip();
    } catch (CoiException e) {
      // The task's container failed it (it was removed, the daemon went away): this task failed,
      // the others go on.
      exitCode = -1;
      output = e.getMessage();
    }
    Result result =
        new Result(
            task, session.slot(), exitCode, Duration.ofNanos(System.nanoTime() - start), output);
    System.out.printf(
        Locale.ROOT,
        "task %d  slot %d  exit %d  %.2f s  %s%n",
        result.task(),
        result.slot(),
        result.exitCode(),
        result.time().toMillis() / 1000.0,
        result.output().lines().reduce((a, b) -> b).orElse(""));
    return result;
  }

  private void closeAll() {
    Session s;
    while ((s = open.poll()) != null) {
      s.close();
    }
  }
}
