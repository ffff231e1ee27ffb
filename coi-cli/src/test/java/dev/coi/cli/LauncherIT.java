package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./coi} launcher at the checkout's root, run as users run it, over the packaged jar. A
 * launcher that would set up the host is stopped right after the set-up's lock ({@code
 * COI_SETUP_STOP_AFTER_LOCK}), so no test installs anything.
 */
class LauncherIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path LAUNCHER = ROOT.resolve("coi");
  private static final Path JAR = ROOT.resolve("coi-cli/target/coi.jar");

  @TempDir Path dir;
  private ServerSocketChannel silentDaemon;
  private final List<SocketChannel> accepted = new ArrayList<>();
  private Path socket;

  /** A daemon socket that accepts connections and never answers: coi waits on it. */
  @BeforeEach
  void silentDaemon() throws IOException {
    socket = dir.resolve("incus.socket");
    silentDaemon = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX);
    silentDaemon.bind(UnixDomainSocketAddress.of(socket));
    Thread acceptor =
        new Thread(
            () -> {
              try {
                while (true) {
                  accepted.add(silentDaemon.accept());
                }
              } catch (IOException closed) {
                // The test is over.
              }
            },
            "launcher-it-silent-daemon");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  @AfterEach
  void stopIt() throws IOException {
    silentDaemon.close();
    for (SocketChannel c : accepted) {
      c.close();
    }
  }

  private ProcessBuilder launcher(String... args) {
    List<String> command = new ArrayList<>(List.of("bash", LAUNCHER.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    pb.environment().put("COI_SETUP_STOP_AFTER_LOCK", "1");
    pb.environment().put("COI_SETUP_LOCK", dir.resolve("setup.lock").toString());
    pb.environment().put("COI_SETUP_MIN_FREE_GIB", "0");
    return pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
  }

  /** The JDK 25 (or later) the launcher prefers when one is installed, as it looks for it. */
  private static Optional<Path> jdk25() throws IOException {
    try (var jdks = Files.newDirectoryStream(Path.of("/usr/lib/jvm"), "*25*")) {
      List<Path> found = new ArrayList<>();
      jdks.forEach(j -> found.add(j.resolve("bin/java")));
      return found.stream().filter(Files::isExecutable).sorted().reduce((a, b) -> b);
    } catch (java.nio.file.NoSuchFileException none) {
      return Optional.empty();
    }
  }

  /** The JDK the tests run on: 17, whose launcher path is the AppCDS archive's. */
  private static Path jdk17() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  /**
   * Removes the launcher's start-up caches and recordings, for either JDK, once no launcher is
   * building one (the builder holds the lock).
   */
  private static void removeCaches() throws Exception {
    Process wait =
        new ProcessBuilder(
                "flock", "-w", "120", JAR.resolveSibling(".coi-cache.lock").toString(), "true")
            .inheritIO()
            .start();
    assertTrue(wait.waitFor(3, TimeUnit.MINUTES));
    assertEquals(0, wait.exitValue(), "a launcher kept the cache lock");
    for (String glob : List.of("coi.jsa*", "coi.aot*")) {
      try (var old = Files.newDirectoryStream(JAR.getParent(), glob)) {
        for (Path f : old) {
          Files.delete(f);
        }
      }
    }
  }

  private static List<Path> files(String glob) throws IOException {
    List<Path> found = new ArrayList<>();
    try (var matching = Files.newDirectoryStream(JAR.getParent(), glob)) {
      matching.forEach(found::add);
    }
    return found;
  }

  private static void await(java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      Thread.sleep(50);
    }
  }

  private static boolean exists(String glob) {
    try {
      return !files(glob).isEmpty();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  record Ran(int exitCode, String output) {}

  /** Runs the launcher to its end with {@code java} as its JVM; its output, stderr included. */
  private Ran ran(Path java, Map<String, String> env, String... args) throws Exception {
    ProcessBuilder pb = launcher(args);
    pb.environment().put("COI_JAVA", java.toString());
    pb.environment().put("COI_SKIP_SETUP", "1");
    pb.environment().remove("COI_JAVA_OPTS");
    pb.environment().remove("INCUS_SOCKET");
    pb.environment().put("CLAUDE_ON_INCUS_IMAGE", "coi-test-min");
    pb.environment().put("CLAUDE_ON_INCUS_CONTAINER_PREFIX", "coi-test-launcher-");
    pb.environment().putAll(env);
    return ran(pb);
  }

  private Ran ran(ProcessBuilder pb) throws Exception {
    Path out = Files.createTempFile(dir, "out", ".txt");
    Process p = pb.redirectErrorStream(true).redirectOutput(out.toFile()).start();
    assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the launcher did not end");
    return new Ran(p.exitValue(), Files.readString(out));
  }

  private static String exeOf(Process p) {
    try {
      return Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "exe")).toString();
    } catch (IOException gone) {
      return "";
    }
  }

  @Test
  void theLauncherBecomesJavaEvenWhenItRecordsTheArchiveSoSigtermReachesIt() throws Exception {
    // Without an archive, the launcher records one: that run too must be java itself.
    removeCaches();
    ProcessBuilder pb = launcher("run", "true");
    pb.environment().remove("COI_JAVA");
    pb.environment().put("COI_SKIP_SETUP", "1");
    pb.environment().put("INCUS_SOCKET", socket.toString());
    Process coi = pb.redirectErrorStream(true).redirectOutput(dir.resolve("out").toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (!exeOf(coi).endsWith("/java") && coi.isAlive()) {
        assertTrue(System.nanoTime() < deadline, "the launcher never became java: " + exeOf(coi));
        Thread.sleep(20);
      }
      assertTrue(coi.isAlive(), Files.readString(dir.resolve("out")));
      Optional<Path> jdk25 = jdk25();
      if (jdk25.isPresent()) {
        assertEquals(jdk25.get().toRealPath().toString(), exeOf(coi), "JDK 25 when installed");
      }
      // coi now waits on the silent daemon.
      coi.destroy();
      assertTrue(coi.waitFor(1, TimeUnit.MINUTES), "SIGTERM did not end coi");
      assertEquals(ExitCodes.TERMINATED, coi.exitValue(), Files.readString(dir.resolve("out")));
    } finally {
      coi.destroyForcibly();
    }
  }

  @Test
  void aSocketInTheUsersConfigurationIsUsedRatherThanSettingUpALocalDaemon() throws Exception {
    Path config = dir.resolve("home/.config/claude-on-incus/config.toml");
    Files.createDirectories(config.getParent());
    Files.writeString(config, "[incus]\n# the daemon is elsewhere\nsocket = \"" + socket + "\"\n");
    // `coi run` alone: a usage error, so no daemon is asked, but the launcher checks the host
    // first.
    Ran coi = ranWhereNoDaemonAnswers(dir.resolve("home"), "run");

    assertEquals(ExitCodes.USAGE, coi.exitCode(), coi.output());
    assertFalse(coi.output().contains("setting up the host"), coi.output());
  }

  @Test
  void versionAndHelpNeedNoDaemonSoNeverSetUpTheHost() throws Exception {
    for (String args : List.of("version", "--help")) {
      Ran coi = ranWhereNoDaemonAnswers(dir, args);

      assertEquals(0, coi.exitCode(), coi.output());
      assertFalse(coi.output().contains("setting up the host"), coi.output());
      assertTrue(
          coi.output().startsWith(args.equals("version") ? "coi 0." : "Usage: coi"), coi.output());
    }
  }

  /**
   * Runs the launcher to its end where an incus command finds no daemon and none is set in the
   * environment, with {@code home} as HOME: the host would need a set-up.
   */
  private Ran ranWhereNoDaemonAnswers(Path home, String... args) throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path incus = Files.writeString(bin.resolve("incus"), "#!/bin/sh\nexit 1\n");
    Files.setPosixFilePermissions(incus, PosixFilePermissions.fromString("rwxr-xr-x"));
    ProcessBuilder pb = launcher(args);
    pb.environment().put("HOME", home.toString());
    pb.environment().remove("XDG_CONFIG_HOME");
    pb.environment().remove("INCUS_SOCKET");
    pb.environment().remove("COI_SKIP_SETUP");
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    return ran(pb);
  }

  /**
   * The start-up cache comes only from a run that reached its command: a usage error's recording
   * and a complete-looking one the JVM cannot use are dropped, a later real run records again, and
   * the cache made from it is the one the JVM maps. For the JDK 17 path (AppCDS) and, when
   * installed, the JDK 25 one (AOT cache, built in the background).
   */
  @Test
  void theStartUpCacheIsRecordedOnlyFromARunThatReachedItsCommand() throws Exception {
    cacheComesFromACompleteRun(jdk17(), "coi.jsa", "-Xshare:on");
    Optional<Path> jdk25 = jdk25();
    if (jdk25.isPresent()) {
      cacheComesFromACompleteRun(jdk25.get(), "coi.aot", "-XX:AOTMode=on");
    }
  }

  private void cacheComesFromACompleteRun(Path java, String cache, String mapOrFail)
      throws Exception {
    removeCaches();
    Map<String, String> none = Map.of();
    assertEquals(ExitCodes.USAGE, ran(java, none, "run").exitCode());
    assertTrue(exists(cache + ".new.*"), "the usage error's run recorded nothing");
    assertFalse(exists(cache + ".new.*.complete"), "a usage error marked its recording complete");
    // A complete-looking recording the JVM cannot use, by a process that is gone.
    Path garbage = JAR.getParent().resolve(cache + ".new.2147483646");
    Files.write(garbage, new byte[32 * 1024 * 1024]);
    Files.writeString(garbage.resolveSibling(garbage.getFileName() + ".complete"), "");

    Ran version = ran(java, none, "version");
    assertEquals(0, version.exitCode(), version.output());
    await(() -> !exists(cache + ".new.*"), "the usage error's and the unusable recordings to go");
    assertFalse(exists(cache), "a cache was made from an unusable recording");

    Ran real = ran(java, none, "run", "true");
    assertEquals(0, real.exitCode(), real.output());
    assertEquals("", real.output(), "the recording run printed something of its own");
    assertTrue(exists(cache + ".new.*.complete"), "the real run's recording is not marked");
    assertEquals(0, ran(java, none, "version").exitCode());
    await(() -> exists(cache) && !exists(cache + ".new.*"), "the cache from the real run");
    assertTrue(Files.size(JAR.getParent().resolve(cache)) > 4 * 1024 * 1024);

    Ran mapped = ran(java, Map.of("COI_JAVA_OPTS", mapOrFail), "version");
    assertEquals(0, mapped.exitCode(), "the JVM could not map the cache: " + mapped.output());
    assertTrue(mapped.output().startsWith("coi 0."), mapped.output());
  }

  /**
   * The launcher remembers the daemon it found ready, so a later run does not start the incus
   * client to ask again, and asks again once that is no longer true: the daemon's process is
   * another (its start time differs), the image's file is gone, or another incus client is found.
   */
  @Test
  void aDaemonFoundReadyIsRememberedUntilItsProcessOrImageChanges() throws Exception {
    Path mark = ROOT.resolve("target/.coi-host-ready");
    String image = "ab".repeat(32);
    Path incusDir = Files.createDirectories(dir.resolve("incus/images"));
    Files.writeString(incusDir.resolve(image), "");
    Path asked = dir.resolve("asked.log");
    // A stand-in client for a daemon that is this test's JVM, with one image.
    Path bin = Files.createDirectories(dir.resolve("client"));
    Path incus =
        Files.writeString(
            bin.resolve("incus"),
            "#!/bin/sh\necho \"$*\" >> "
                + asked
                + "\ncase $2 in\n/1.0) echo '{\"environment\": {\"server_pid\": "
                + ProcessHandle.current().pid()
                + "}}' ;;\n*) echo '{\"name\": \"coi-sandbox\", \"target\": \""
                + image
                + "\"}' ;;\nesac\n");
    Files.setPosixFilePermissions(incus, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.deleteIfExists(mark);
    try {
      assertEquals(2, timesAsked(bin, incusDir.getParent(), asked), "first run: both questions");
      assertTrue(Files.readString(mark).endsWith(" " + incus + "\n"), Files.readString(mark));
      assertEquals(0, timesAsked(bin, incusDir.getParent(), asked), "remembered");

      String[] fields = Files.readString(mark).split(" ");
      fields[1] = "1"; // another process under the daemon's PID
      Files.writeString(mark, String.join(" ", fields));
      assertEquals(2, timesAsked(bin, incusDir.getParent(), asked), "another process");
      assertEquals(0, timesAsked(bin, incusDir.getParent(), asked), "remembered anew");

      Files.delete(incusDir.resolve(image));
      assertEquals(2, timesAsked(bin, incusDir.getParent(), asked), "the image's file is gone");

      Path otherClient = Files.createDirectories(dir.resolve("other"));
      Files.copy(incus, otherClient.resolve("incus"));
      Files.setPosixFilePermissions(
          otherClient.resolve("incus"), PosixFilePermissions.fromString("rwxr-xr-x"));
      assertEquals(2, timesAsked(otherClient, incusDir.getParent(), asked), "another client");
    } finally {
      Files.deleteIfExists(mark); // the next real run asks the real daemon again
    }
  }

  /** Runs the launcher (its JVM a no-op) and counts the incus client's runs it made. */
  private int timesAsked(Path clientBin, Path incusDir, Path asked) throws Exception {
    long before = Files.exists(asked) ? Files.readAllLines(asked).size() : 0;
    ProcessBuilder pb = launcher("run", "true");
    pb.environment().remove("COI_SKIP_SETUP");
    pb.environment().remove("INCUS_SOCKET");
    pb.environment().remove("XDG_CONFIG_HOME");
    pb.environment().put("HOME", dir.toString());
    pb.environment().put("INCUS_DIR", incusDir.toString());
    pb.environment().put("COI_JAVA", "/bin/true");
    pb.environment().put("PATH", clientBin + ":" + System.getenv("PATH"));
    Ran coi = ran(pb);
    assertEquals(0, coi.exitCode(), coi.output());
    assertFalse(coi.output().contains("setting up the host"), coi.output());
    return (int) ((Files.exists(asked) ? Files.readAllLines(asked).size() : 0) - before);
  }

  /**
   * junixsocket's native library is loaded from beside the jar, where the build unpacks it. Left to
   * itself, junixsocket copies it out of the jar at every start and, first, deletes what it takes
   * for its own leftovers ({@code libtmp*} files marked by a {@code .del} twin) in the current
   * directory, which for coi is the workspace. The control names no library: the workspace's files
   * go.
   */
  @Test
  void theNativeLibraryIsLoadedInPlaceAndTheWorkspacesFilesAreLeftAlone() throws Exception {
    List<Path> lookalikes = List.of(dir.resolve("libtmp1.so"), dir.resolve("libtmp1.so.del"));
    for (Path file : lookalikes) {
      Files.writeString(file, "the user's");
    }
    Ran inPlace = ran(jdk17(), Map.of(), "run", "echo", "ok");
    assertEquals(0, inPlace.exitCode(), inPlace.output());
    for (Path file : lookalikes) {
      assertEquals("the user's", Files.readString(file), file + " was touched");
    }

    Ran unpacked =
        ran(
            jdk17(),
            Map.of("COI_JAVA_OPTS", "-Dorg.newsclub.net.unix.library.override="),
            "run",
            "echo",
            "ok");
    assertEquals(0, unpacked.exitCode(), unpacked.output());
    for (Path file : lookalikes) {
      assertFalse(Files.exists(file), file + " should be gone in the control");
    }
  }

  @Test
  void twoFirstRunsAtOnceBuildOnceIntoTarget() throws Exception {
    // A stand-in for Maven that logs its runs and "builds" by touching the jar.
    Path log = dir.resolve("builds.log");
    Path bin =
        standInMaven("echo start >> " + log + "\nsleep 1\ntouch " + JAR + "\necho end >> " + log);
    FileTime built = Files.getLastModifiedTime(JAR);
    Files.setLastModifiedTime(JAR, FileTime.from(Instant.parse("2000-01-01T00:00:00Z")));
    try {
      List<Process> both = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        ProcessBuilder pb = launcher("version");
        pb.environment().put("COI_SKIP_SETUP", "1");
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        both.add(
            pb.redirectErrorStream(true).redirectOutput(dir.resolve("out" + i).toFile()).start());
      }
      for (Process p : both) {
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue());
      }

      assertEquals(List.of("start", "end"), Files.readAllLines(log), "one build, not two at once");
    } finally {
      if (Files.getLastModifiedTime(JAR).toInstant().isBefore(built.toInstant())) {
        Files.setLastModifiedTime(JAR, built);
      }
    }
  }

  @Test
  void aChangeToCoiHostfsRebuildsTheJarWithNoColourCodes() throws Exception {
    // A stand-in for Maven that logs its arguments and MAVEN_OPTS and "builds" by touching the jar.
    Path log = dir.resolve("build.log");
    Path bin = standInMaven("echo \"$MAVEN_OPTS $*\" >> " + log + "\ntouch " + JAR);
    // The jar newer than every other source the launcher looks at, one coi-hostfs source newer
    // still.
    FileTime newest = FileTime.fromMillis(0);
    for (String tree :
        List.of("pom.xml", "coi-api/src/main", "coi-core/src/main", "coi-incus/src/main")) {
      newest = newest(ROOT.resolve(tree), newest);
    }
    try (var modules = Files.newDirectoryStream(ROOT, "coi-*")) {
      for (Path module : modules) {
        if (Files.exists(module.resolve("pom.xml"))) {
          newest = newest(module.resolve("pom.xml"), newest);
        }
      }
    }
    newest = newest(ROOT.resolve("coi-cli/src/main"), newest);
    Path hostfsSource;
    try (var sources = Files.walk(ROOT.resolve("coi-hostfs/src/main"))) {
      hostfsSource = sources.filter(Files::isRegularFile).findFirst().orElseThrow();
    }
    FileTime built = Files.getLastModifiedTime(JAR);
    FileTime sourceTime = Files.getLastModifiedTime(hostfsSource);
    try {
      Files.setLastModifiedTime(JAR, FileTime.fromMillis(newest.toMillis() + 2_000));
      Files.setLastModifiedTime(hostfsSource, FileTime.fromMillis(newest.toMillis() + 4_000));
      ProcessBuilder pb = launcher("version");
      pb.environment().put("COI_SKIP_SETUP", "1");
      pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
      Ran ran = ran(pb);

      assertEquals(0, ran.exitCode(), ran.output());
      List<String> builds = Files.readAllLines(log);
      assertEquals(1, builds.size(), "one build: " + builds);
      // Maven 3.8 writes ESC[0m on exit unless jansi.noreset is set, even with -B.
      assertTrue(builds.get(0).contains("-Djansi.noreset=true"), builds.get(0));
      assertTrue(builds.get(0).contains("-Dstyle.color=never"), builds.get(0));
      assertFalse(ran.output().contains("\u001b"), ran.output());
    } finally {
      Files.setLastModifiedTime(hostfsSource, sourceTime);
      if (Files.getLastModifiedTime(JAR).toInstant().isBefore(built.toInstant())) {
        Files.setLastModifiedTime(JAR, built);
      }
    }
  }

  /** A directory holding an {@code mvn} that runs {@code script}; put it first on the PATH. */
  private Path standInMaven(String script) throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path mvn = Files.writeString(bin.resolve("mvn"), "#!/bin/sh\n" + script + "\n");
    Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
    return bin;
  }

  /** The later of {@code than} and the newest modification time in {@code tree}. */
  private static FileTime newest(Path tree, FileTime than) throws IOException {
    try (var files = Files.walk(tree)) {
      return files
          .map(
              p -> {
                try {
                  return Files.getLastModifiedTime(p);
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              })
          .reduce(than, (a, b) -> a.compareTo(b) >= 0 ? a : b);
    }
  }
}
