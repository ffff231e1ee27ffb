package dev.coi.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.hostfs.HostTrees;
import dev.coi.tck.LiveBackendTestBase;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Example 5: an embedder's project outside the reactor ({@code coi-examples/standalone}, its own
 * pom) builds against the installed dev.coi artifacts and runs the quick start. The artifacts are
 * installed by the install plugin into a private local repository under {@code target/}, never into
 * the shared {@code ~/.m2}; third-party artifacts and plugins come from {@code ~/.m2}, read as a
 * file mirror, so the build needs no network.
 */
class StandaloneProjectIT extends LiveBackendTestBase {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path TARGET = Path.of("target").toAbsolutePath();
  private static final String VERSION = System.getProperty("coi.version", "0.1.0-SNAPSHOT");

  @Test
  void theStandaloneProjectBuildsAgainstTheInstalledArtifactsAndRunsTheQuickStart()
      throws Exception {
    Path shared =
        Path.of(System.getProperty("user.home"), ".m2/repository/dev/coi/coi-core", VERSION);
    String sharedBefore = describe(shared);
    Path repo = TARGET.resolve("standalone-repo");
    Path work = TARGET.resolve("standalone-work");
    for (Path p : List.of(repo, work)) {
      HostTrees.delete(p);
    }
    Files.createDirectories(work);
    Path settings = work.resolve("settings.xml");
    Files.writeString(
        settings,
        "<settings><mirrors><mirror><id>local-files</id><mirrorOf>*</mirrorOf><url>"
            + Path.of(System.getProperty("user.home"), ".m2", "repository").toUri()
            + "</url></mirror></mirrors></settings>\n");

    Path installer = work.resolve("installer");
    Files.createDirectories(installer);
    Files.writeString(installer.resolve("pom.xml"), installerPom());
    mvn(installer, settings, repo, "validate");
    assertTrue(
        Files.isRegularFile(
            repo.resolve("dev/coi/coi-core/" + VERSION + "/coi-core-" + VERSION + ".jar")));

    Path project = work.resolve("standalone");
    HostTrees.copy(ROOT.resolve("coi-examples/standalone"), project, HostTrees.CopyObserver.NONE);
    String output =
        mvn(
            project,
            settings,
            repo,
            "package",
            "exec:exec",
            "-Dcoi.version=" + VERSION,
            "-Dworkspace=" + workspace);

    assertTrue(output.contains("hello from /workspace in " + TEST_PREFIX), output);
    assertEquals(sharedBefore, describe(shared), "the shared ~/.m2 was not written");
  }

  /** What a directory holds, names and modification times; "absent" when it is not there. */
  private static String describe(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return "absent";
    }
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      StringBuilder text = new StringBuilder();
      for (Path f : files.sorted().toList()) {
        text.append(f.getFileName()).append(' ').append(Files.getLastModifiedTime(f)).append('\n');
      }
      return text.toString();
    }
  }

  /**
   * One Maven run that installs the reactor's artifacts with the install plugin, as mvn install.
   */
  private static String installerPom() {
    StringBuilder executions = new StringBuilder();
    executions.append(execution("coi-parent", ROOT.resolve("pom.xml"), ROOT.resolve("pom.xml")));
    for (String module : List.of("coi-api", "coi-hostfs", "coi-core", "coi-incus")) {
      executions.append(
          execution(
              module,
              ROOT.resolve(module + "/target/" + module + "-" + VERSION + ".jar"),
              ROOT.resolve(module + "/pom.xml")));
    }
    return """
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <modelVersion>4.0.0</modelVersion>
          <groupId>example</groupId><artifactId>installer</artifactId><version>1</version>
          <packaging>pom</packaging>
          <build><plugins><plugin>
            <groupId>org.apache.maven.plugins</groupId><artifactId>maven-install-plugin</artifactId>
            <version>3.1.4</version>
            <executions>%s</executions>
          </plugin></plugins></build>
        </project>
        """
        .formatted(executions);
  }

  private static String execution(String id, Path file, Path pom) {
    return "<execution><id>%s</id><phase>validate</phase><goals><goal>install-file</goal></goals>"
            .formatted(id)
        + "<configuration><file>%s</file><pomFile>%s</pomFile></configuration></execution>"
            .formatted(file, pom);
  }

  private static String mvn(Path dir, Path settings, Path repo, String... goals)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("mvn", "-B", "-q", "-s", settings.toString()));
    command.add("-Dmaven.repo.local=" + repo);
    command.addAll(List.of(goals));
    Path log = dir.resolve("mvn.log");
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), "mvn " + String.join(" ", goals) + " hangs");
    String output = Files.readString(log);
    assertEquals(0, p.exitValue(), "mvn " + String.join(" ", goals) + ":\n" + output);
    return output;
  }
}
