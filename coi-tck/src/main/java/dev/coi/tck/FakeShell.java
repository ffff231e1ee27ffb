package dev.coi.tck;

import dev.coi.api.ExecResult;
import dev.coi.api.spi.ExecSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The few commands the fake backend runs when asked to ({@link
 * FakeContainerBackend#runCommands()}), enough for the contract's exec checks to mean the same on
 * the fake as on a real container: a program given directly, or {@code sh -c} with commands
 * separated by {@code ;} or new lines, each of {@code echo}, {@code exit N}, {@code id -u}, {@code
 * id -g}, {@code pwd}, {@code true}, {@code false} and {@code stat -c %u:%g:%a PATH}; {@code $NAME}
 * expands from the environment; {@code > FILE} writes through the container's files (and so through
 * its mounts) as the exec's user, and {@code >&2} writes to stderr. Any other program is not found:
 * exit status 127, named on stderr. No quoting, no pipes.
 */
final class FakeShell {
  /** What a command does to the container's files. */
  interface Files {
    void write(String path, byte[] content, int uid, int gid);

    Optional<String> ownerAndMode(String path);
  }

  private final Files files;
  private final ExecSpec exec;
  private final StringBuilder out = new StringBuilder();
  private final StringBuilder err = new StringBuilder();

  FakeShell(Files files, ExecSpec exec) {
    this.files = files;
    this.exec = exec;
  }

  ExecResult run() {
    List<String> argv = exec.command();
    if (argv.size() == 3 && argv.get(0).equals("sh") && argv.get(1).equals("-c")) {
      int status = 0;
      for (String line : argv.get(2).split("[;\n]")) {
        List<String> words = words(line);
        if (words.isEmpty()) {
          continue;
        }
        if (words.get(0).equals("exit")) {
          status = words.size() > 1 ? Integer.parseInt(words.get(1)) : status;
          break;
        }
        status = command(words);
      }
      return result(status);
    }
    return result(command(argv));
  }

  private ExecResult result(int status) {
    return ExecResult.of(status, out.toString(), err.toString());
  }

  private List<String> words(String line) {
    List<String> words = new ArrayList<>();
    Map<String, String> env = exec.environment();
    for (String word : line.strip().split("\\s+")) {
      if (word.isEmpty()) {
        continue;
      }
      if (word.startsWith("$")) {
        String value = env.getOrDefault(word.substring(1), "");
        for (String part : value.split("\\s+")) {
          if (!part.isEmpty()) {
            words.add(part);
          }
        }
      } else {
        words.add(word);
      }
    }
    return words;
  }

  /** Runs one command with its redirections; its exit status. */
  private int command(List<String> words) {
    List<String> args = new ArrayList<>();
    String toFile = null;
    boolean toStderr = false;
    for (int i = 0; i < words.size(); i++) {
      String w = words.get(i);
      if (w.equals(">&2")) {
        toStderr = true;
      } else if (w.equals(">") && i + 1 < words.size()) {
        toFile = words.get(++i);
      } else {
        args.add(w);
      }
    }
    StringBuilder output = new StringBuilder();
    int status = program(args, output);
    if (toFile != null) {
      String path = toFile.startsWith("/") ? toFile : exec.cwd() + "/" + toFile;
      try {
        files.write(FakeFiles.normalized(path), bytes(output), exec.uid(), exec.gid());
      } catch (RuntimeException e) {
        err.append("sh: cannot create ").append(toFile).append(": ").append(e.getMessage());
        err.append('\n');
        return 2;
      }
    } else {
      (toStderr ? err : out).append(output);
    }
    return status;
  }

  private int program(List<String> args, StringBuilder output) {
    String name = args.get(0);
    switch (name) {
      case "echo":
        output.append(String.join(" ", args.subList(1, args.size()))).append('\n');
        return 0;
      case "true":
        return 0;
      case "false":
        return 1;
      case "pwd":
        output.append(exec.cwd()).append('\n');
        return 0;
      case "id":
        if (args.equals(List.of("id", "-u"))) {
          output.append(exec.uid()).append('\n');
          return 0;
        }
        if (args.equals(List.of("id", "-g"))) {
          output.append(exec.gid()).append('\n');
          return 0;
        }
        break;
      case "stat":
        if (args.size() == 4 && args.get(1).equals("-c") && args.get(2).equals("%u:%g:%a")) {
          Optional<String> stat = files.ownerAndMode(FakeFiles.normalized(args.get(3)));
          if (stat.isEmpty()) {
            err.append("stat: cannot statx '").append(args.get(3)).append("': No such file\n");
            return 1;
          }
          output.append(stat.get()).append('\n');
          return 0;
        }
        break;
      default:
        err.append("sh: 1: ").append(name).append(": not found\n");
        return 127;
    }
    err.append(name).append(": the fake shell knows no such use: ").append(args).append('\n');
    return 2;
  }

  private static byte[] bytes(CharSequence text) {
    return text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
