package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real pseudo-terminal on the host for tests of coi's interactive commands: a tmux server of the
 * test's own (its own socket, so no user's tmux is touched) with one pane running a bash, driven
 * with send-keys and read with capture-pane, as a user's terminal would be.
 */
final class HostTmux implements AutoCloseable {
  private final String socket = "coi-test-" + UUID.randomUUID().toString().substring(0, 8);

  private HostTmux() {}

  /** A pane of the given size running a plain bash in {@code dir}, with {@code env} set. */
  static HostTmux start(int columns, int rows, Path dir, Map<String, String> env)
      throws IOException, InterruptedException {
    HostTmux tmux = new HostTmux();
    List<String> command =
        new ArrayList<>(
            List.of(
                "new-session",
                "-d",
                "-s",
                "main",
                "-x",
                Integer.toString(columns),
                "-y",
                Integer.toString(rows),
                "-c",
                dir.toString()));
    env.forEach((k, v) -> command.addAll(List.of("-e", k + "=" + v)));
    command.addAll(List.of("env", "-u", "COI_DEBUG", "bash", "--norc", "--noprofile"));
    tmux.tmux(command.toArray(String[]::new));
    // The pane is the whole window: no status line takes a row from it.
    tmux.tmux("set-option", "-g", "status", "off");
    tmux.tmux("set-option", "-g", "history-limit", "5000");
    return tmux;
  }

  /** Types text as it is, no key names. */
  void type(String text) throws IOException, InterruptedException {
    tmux("send-keys", "-t", "main", "-l", text);
  }

  /** Types a line and Enter. */
  void typeLine(String line) throws IOException, InterruptedException {
    type(line);
    keys("Enter");
  }

  /** Presses keys by tmux's names: {@code Enter}, {@code C-c}, {@code C-b}. */
  void keys(String... keys) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("send-keys", "-t", "main"));
    command.addAll(List.of(keys));
    tmux(command.toArray(String[]::new));
  }

  /** The pane's screen and history, lines joined where they wrapped. */
  String screen() throws IOException, InterruptedException {
    return tmux("capture-pane", "-p", "-J", "-S", "-5000", "-t", "main");
  }

  /** Waits, with a deadline, until the screen shows what {@code seen} accepts; returns it. */
  String await(Predicate<String> seen, String what) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    String screen = screen();
    while (!seen.test(screen)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited two minutes for " + what + "; the screen:\n" + screen);
      }
      Thread.sleep(100);
      screen = screen();
    }
    return screen;
  }

  /** Waits until the screen contains {@code text}. */
  String awaitText(String text) throws IOException, InterruptedException {
    return await(s -> s.contains(text), "'" + text + "'");
  }

  /**
   * Types a line, again every few seconds, until the screen shows {@code text}: for what arrives at
   * its own pace while the program inside goes on (a new window size).
   */
  void retypeUntil(String line, String text) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (true) {
      typeLine(line);
      long retype = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      while (System.nanoTime() < retype) {
        if (screen().contains(text)) {
          return;
        }
        Thread.sleep(100);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited two minutes for " + text + "; the screen:\n" + screen());
      }
    }
  }

  /** Resizes the window, as a user dragging the terminal's corner. */
  void resize(int columns, int rows) throws IOException, InterruptedException {
    tmux(
        "resize-window",
        "-t",
        "main",
        "-x",
        Integer.toString(columns),
        "-y",
        Integer.toString(rows));
  }

  /** The first process below the pane's shell whose command is {@code java}: coi. */
  Optional<ProcessHandle> java() throws IOException, InterruptedException {
    long pane = Long.parseLong(tmux("display-message", "-p", "-t", "main", "#{pane_pid}").strip());
    return ProcessHandle.of(pane).stream()
        .flatMap(ProcessHandle::descendants)
        .filter(p -> p.info().command().orElse("").endsWith("/java"))
        .findFirst();
  }

  private String tmux(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("tmux", "-L", socket));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(1, TimeUnit.MINUTES), "tmux " + String.join(" ", args));
    if (p.exitValue() != 0) {
      throw new AssertionError("tmux " + String.join(" ", args) + " failed: " + out);
    }
    return out;
  }

  /** Writes an executable script, for a command line too long to type. */
  static Path script(Path dir, String name, String body) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, "#!/bin/bash\n" + body);
    file.toFile().setExecutable(true);
    return file;
  }

  @Override
  public void close() throws IOException, InterruptedException {
    try {
      tmux("kill-server");
    } catch (AssertionError alreadyGone) {
      // The server ends by itself when its last pane does.
    }
  }
}
