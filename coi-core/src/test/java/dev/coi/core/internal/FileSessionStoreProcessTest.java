package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.coi.api.SessionInfo;
import dev.coi.api.SessionState;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saves of one id from two processes take turns: FileChannel locks, not only the in-JVM one. */
class FileSessionStoreProcessTest {
  private static final int SAVES = 10;

  @TempDir Path dir;

  @Test
  void savesFromTwoProcessesEndWithOneCompleteSave() throws Exception {
    Path sessions = dir.resolve("sessions");
    Path mine = tree("mine", "parent");
    Path theirs = tree("theirs", "child");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process child =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                SaveLoop.class.getName(),
                sessions.toString(),
                theirs.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    assertEquals("ready", out.readLine());
    FileSessionStore store = SaveLoop.store(sessions);
    try (OutputStream go = child.getOutputStream()) {
      go.write("go\n".getBytes(StandardCharsets.UTF_8));
    }
    SaveLoop.saves(store, mine, "parent");
    assertEquals(0, child.waitFor());

    String writer = store.find("shared").orElseThrow().labels().get("writer");
    Path restored = dir.resolve("restored");
    store.restore("shared", restored);
    assertEquals(writer, Files.readString(restored.resolve("writer")));
    assertEquals(writer.equals("parent") ? "p" : "c", Files.readString(restored.resolve("d/f")));
    try (Stream<Path> list = Files.list(sessions)) {
      List<String> saves =
          list.map(p -> p.getFileName().toString())
              .filter(n -> n.startsWith(".save-") || n.startsWith(".tmp-"))
              .collect(Collectors.toList());
      assertEquals(1, saves.size(), saves.toString());
    }
  }

  private Path tree(String name, String writer) throws IOException {
    Path tree = dir.resolve(name);
    Files.createDirectories(tree.resolve("d"));
    Files.writeString(tree.resolve("writer"), writer);
    Files.writeString(tree.resolve("d/f"), writer.substring(0, 1));
    return tree;
  }

  /** The other process: saves its tree as the shared session once told to go. */
  public static final class SaveLoop {
    public static void main(String[] args) throws IOException {
      FileSessionStore store = store(Path.of(args[0]));
      System.out.println("ready");
      System.out.flush();
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      saves(store, Path.of(args[1]), "child");
    }

    static FileSessionStore store(Path sessions) {
      FileSessionStore store = new FileSessionStore();
      store.configure(Map.of("sessions_dir", sessions.toString()));
      return store;
    }

    static void saves(FileSessionStore store, Path tree, String writer) {
      for (int i = 0; i < SAVES; i++) {
        store.save(
            SessionInfo.builder()
                .id("shared")
                .container("c")
                .workspace(Path.of("/w"))
                .slot(1)
                .persistent(false)
                .state(SessionState.RUNNING)
                .created(Instant.EPOCH)
                .putLabels("writer", writer)
                .build(),
            tree);
      }
    }
  }
}
