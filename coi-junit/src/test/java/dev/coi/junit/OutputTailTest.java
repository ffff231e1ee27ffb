package dev.coi.junit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class OutputTailTest {
  private static void write(OutputTail.Command c, String out, String err) {
    c.stdout(out.getBytes(UTF_8), 0, out.getBytes(UTF_8).length);
    c.stderr(err.getBytes(UTF_8), 0, err.getBytes(UTF_8).length);
  }

  @Test
  void keepsCommandsOutputAndExitCodeInOrder() {
    OutputTail tail = new OutputTail();
    OutputTail.Command first = tail.started(List.of("make", "all"));
    write(first, "built\n", "warning\n");
    first.exited(0);
    OutputTail.Command second = tail.started(List.of("sh", "-c", "test"));
    write(second, "partial", "");

    assertEquals(
        List.of(
            "$ make all",
            "built",
            "warning",
            "(exit 0)",
            "$ sh -c test",
            "partial",
            "(still running)"),
        tail.lastLines());
  }

  @Test
  void keepsOnlyTheLastLines() {
    OutputTail tail = new OutputTail();
    OutputTail.Command c = tail.started(List.of("seq"));
    StringBuilder out = new StringBuilder();
    for (int i = 1; i <= 100; i++) {
      out.append("line ").append(i).append('\n');
    }
    write(c, out.toString(), "");
    c.exited(1);

    List<String> lines = tail.lastLines();
    assertEquals(OutputTail.LINES, lines.size());
    assertEquals("line 82", lines.get(0));
    assertEquals("(exit 1)", lines.get(lines.size() - 1));
  }

  @Test
  void aHugeOutputIsCutToItsEndWithoutAPartialFirstLine() {
    OutputTail tail = new OutputTail();
    OutputTail.Command c = tail.started(List.of("yes"));
    byte[] chunk = "0123456789abcdef\n".repeat(1000).getBytes(UTF_8);
    for (int i = 0; i < 10; i++) {
      c.stdout(chunk, 0, chunk.length);
    }
    c.exited(0);

    List<String> lines = tail.lastLines();
    assertEquals("0123456789abcdef", lines.get(0));
    assertEquals("(exit 0)", lines.get(lines.size() - 1));
  }
}
