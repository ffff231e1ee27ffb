package dev.coi.junit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * The last commands a sandbox ran and the end of what each wrote, kept for the failure report.
 * Bounded: a command's output is kept up to its last {@value #BYTES_PER_STREAM} bytes per stream,
 * and only the last {@value #COMMANDS} commands are remembered.
 */
final class OutputTail {
  static final int LINES = 20;
  static final int COMMANDS = 8;
  static final int BYTES_PER_STREAM = 8192;

  private final Deque<Command> commands = new ArrayDeque<>();

  /** One command: its line, the end of its output as it arrives, and its exit code once known. */
  static final class Command {
    private final String line;
    private final Ring stdout = new Ring();
    private final Ring stderr = new Ring();
    private volatile Integer exitCode;

    private Command(String line) {
      this.line = line;
    }

    void stdout(byte[] bytes, int offset, int length) {
      stdout.write(bytes, offset, length);
    }

    void stderr(byte[] bytes, int offset, int length) {
      stderr.write(bytes, offset, length);
    }

    void exited(int code) {
      exitCode = code;
    }

    private List<String> lines() {
      List<String> out = new ArrayList<>();
      out.add("$ " + line);
      out.addAll(stdout.lines());
      out.addAll(stderr.lines());
      out.add(exitCode == null ? "(still running)" : "(exit " + exitCode + ")");
      return out;
    }
  }

  /** Starts recording a command. */
  synchronized Command started(List<String> command) {
    Command c = new Command(String.join(" ", command));
    commands.addLast(c);
    while (commands.size() > COMMANDS) {
      commands.removeFirst();
    }
    return c;
  }

  /** The last {@value #LINES} lines of the recorded commands, oldest first; empty when none ran. */
  List<String> lastLines() {
    List<Command> snapshot;
    synchronized (this) {
      snapshot = new ArrayList<>(commands);
    }
    List<String> all = new ArrayList<>();
    for (Command c : snapshot) {
      all.addAll(c.lines());
    }
    return all.subList(Math.max(0, all.size() - LINES), all.size());
  }

  /** The last bytes written to a stream. */
  private static final class Ring {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private boolean cut;

    synchronized void write(byte[] b, int offset, int length) {
      bytes.write(b, offset, length);
      if (bytes.size() > 2 * BYTES_PER_STREAM) {
        byte[] all = bytes.toByteArray();
        bytes.reset();
        bytes.write(all, all.length - BYTES_PER_STREAM, BYTES_PER_STREAM);
        cut = true;
      }
    }

    synchronized List<String> lines() {
      String text = bytes.toString(StandardCharsets.UTF_8);
      if (text.isEmpty()) {
        return List.of();
      }
      List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
      if (lines.get(lines.size() - 1).isEmpty()) {
        lines.remove(lines.size() - 1);
      }
      if (cut && !lines.isEmpty()) {
        // The first line was cut somewhere in its middle.
        lines.remove(0);
      }
      return lines;
    }
  }
}
