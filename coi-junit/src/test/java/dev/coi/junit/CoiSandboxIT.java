package dev.coi.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.ExecResult;
import dev.coi.api.Session;
import dev.coi.api.SessionSpec;
import dev.coi.api.Sessions;
import dev.coi.tck.LiveBackendTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The extension on the real daemon: each lifetime, the configuration by attributes and by a factory
 * method, the failure report, and that every container is gone once the run is over.
 */
class CoiSandboxIT extends LiveBackendTestBase {
  /** Container names each fixture saw, by what held the sandbox ("field:test", "static" ...). */
  static final Map<String, String> SEEN = new ConcurrentHashMap<>();

  @CoiSandbox(environment = "GREETING=hello from the class")
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class Lifetimes {
    @CoiSandbox static Session perClass;
    @CoiSandbox Session perTest;
    static Path perClassWorkspace;

    @BeforeAll
    static void seeTheClassSandbox() {
      perClassWorkspace = perClass.workspace();
    }

    @BeforeEach
    void theFieldIsSetBeforeEachMethod() {
      assertTrue(perTest != null);
    }

    @Test
    @Order(1)
    void first(Session parameter) {
      record("first", parameter);
      assertEquals("hello from the class\n", perTest.run("sh", "-c", "echo $GREETING").stdout());
      assertEquals("/workspace\n", parameter.run("pwd").stdout());
    }

    @Test
    @Order(2)
    void second(@CoiSandbox(environment = "GREETING=own") Session parameter) throws Exception {
      record("second", parameter);
      assertEquals("own\n", parameter.run("sh", "-c", "echo $GREETING").stdout());
      // A fresh workspace is the container's /workspace, and files come back to the host.
      assertTrue(parameter.run("sh", "-c", "echo made > /workspace/out.txt").isSuccess());
      assertEquals("made\n", Files.readString(parameter.workspace().resolve("out.txt")));
      SEEN.put("second:workspace", parameter.workspace().toString());
    }

    @Test
    @Order(3)
    void fromAFactory(@CoiSandbox(spec = "limited") Session parameter) {
      SEEN.put("factory", parameter.name());
      assertEquals("2\n", parameter.run("sh", "-c", "echo $FROM_FACTORY").stdout());
    }

    static SessionSpec limited(Path workspace) {
      return Sessions.builder().workspace(workspace).putEnvironment("FROM_FACTORY", "2").build();
    }

    private void record(String test, Session parameter) {
      SEEN.put(test + ":field", perTest.name());
      SEEN.put(test + ":parameter", parameter.name());
      SEEN.put(test + ":static", perClass.name());
    }
  }

  @Test
  void eachLifetimeGetsItsOwnSandboxAndAllAreGoneAfterwards() {
    SEEN.clear();
    FixtureRun run = FixtureRun.of(Lifetimes.class);

    assertEquals(List.of(), run.withStatus("FAILED"), "fixture failures");
    assertEquals(
        3, run.tests().stream().filter(t -> t.status().equals("SUCCESSFUL")).count(), "passed");
    assertEquals(SEEN.get("first:static"), SEEN.get("second:static"), "one per class");
    Set<String> perTest =
        Set.of(
            SEEN.get("first:field"),
            SEEN.get("first:parameter"),
            SEEN.get("second:field"),
            SEEN.get("second:parameter"),
            SEEN.get("first:static"));
    assertEquals(5, perTest.size(), "a new sandbox for each field and parameter of each test");
    List<String> all = new ArrayList<>(perTest);
    all.add(SEEN.get("factory"));
    all.forEach(name -> assertTrue(backend.find(name).isEmpty(), name + " is left after the run"));
    assertTrue(
        Files.notExists(Path.of(SEEN.get("second:workspace"))), "the fresh workspace is deleted");
    assertTrue(Files.notExists(Lifetimes.perClassWorkspace));
  }

  @CoiSandbox
  static class Failing {
    @Test
    void failsAfterACommand(Session sandbox) {
      SEEN.put("failing", sandbox.name());
      ExecResult r = sandbox.run("sh", "-c", "for i in $(seq 1 30); do echo line $i; done; exit 3");
      assertEquals(0, r.exitCode(), "the build failed");
    }
  }

  @Test
  void aFailureNamesTheContainerAndEndsWithItsLastOutputAndTheContainerStillGoes() {
    FixtureRun run = FixtureRun.of(Failing.class);

    FixtureRun.Outcome failed = run.withStatus("FAILED").get(0);
    String name = SEEN.get("failing");
    Throwable report = failed.failure().orElseThrow().getSuppressed()[0];
    String text = report.getMessage();
    assertTrue(text.startsWith("coi sandbox " + name + ", last lines"), text);
    assertTrue(text.contains("  line 30\n  (exit 3)"), text);
    assertTrue(!text.contains("line 10\n"), "only the last lines: " + text);
    assertEquals(text, run.reports.get(0).getKeyValuePairs().get("coi.sandbox." + name));
    assertTrue(backend.find(name).isEmpty(), "the failed test's container is gone");
  }

  @CoiSandbox
  static class SharingOne {
    @CoiSandbox(shared = true, environment = "K=v")
    static Session shared;

    @Test
    void uses() {
      SEEN.put("sharing-one", shared.name());
    }
  }

  @CoiSandbox
  static class SharingTwo {
    @Test
    void uses(@CoiSandbox(shared = true, environment = "K=v") Session shared) {
      SEEN.put("sharing-two", shared.name());
    }

    @Test
    void anotherSpecIsAnotherSandbox(@CoiSandbox(shared = true) Session other) {
      SEEN.put("sharing-other", other.name());
    }
  }

  @Test
  void classesAskingForTheSameSharedSpecGetOneSandboxForTheRun() {
    FixtureRun run = FixtureRun.of(SharingOne.class, SharingTwo.class);

    assertEquals(List.of(), run.withStatus("FAILED"));
    assertEquals(SEEN.get("sharing-one"), SEEN.get("sharing-two"));
    assertNotEquals(SEEN.get("sharing-one"), SEEN.get("sharing-other"));
    Set<String> names = new TreeSet<>(List.of(SEEN.get("sharing-one"), SEEN.get("sharing-other")));
    assertEquals(
        Set.of(),
        names.stream().filter(n -> backend.find(n).isPresent()).collect(Collectors.toSet()),
        "closed when the run ended");
  }

  @CoiSandbox
  static class PlantsLinks {
    static Path outside;

    @Test
    void theAgentLinksOutOfTheWorkspace(Session sandbox) {
      SEEN.put("links:workspace", sandbox.workspace().toString());
      // Link texts are resolved on the host when the workspace is deleted there.
      assertEquals(
          0,
          sandbox
              .run(
                  "sh",
                  "-c",
                  "ln -s "
                      + outside
                      + " /workspace/dir-link && ln -s "
                      + outside.resolve("keep.txt")
                      + " /workspace/file-link")
              .exitCode());
    }
  }

  @Test
  void deletingAFreshWorkspaceNeverFollowsTheLinksTheContainerPlanted() throws Exception {
    Path outside = Files.createDirectories(workspace.resolve("outside"));
    Files.writeString(outside.resolve("keep.txt"), "host file");
    PlantsLinks.outside = outside;

    FixtureRun run = FixtureRun.of(PlantsLinks.class);

    assertEquals(List.of(), run.withStatus("FAILED"));
    assertTrue(Files.notExists(Path.of(SEEN.get("links:workspace"))), "the workspace is deleted");
    assertEquals("host file", Files.readString(outside.resolve("keep.txt")));
  }
}
