package dev.coi.incus.backend;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.ExecResult;
import dev.coi.api.InvalidSpecException;
import dev.coi.api.NetworkMode;
import dev.coi.api.NetworkPolicy;
import dev.coi.api.RunningCommand;
import dev.coi.api.TerminalSize;
import dev.coi.api.spi.Availability;
import dev.coi.api.spi.BackendSettings;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.ExecSpec;
import dev.coi.incus.IncusUnavailableException;
import dev.coi.tck.ContainerBackendContract;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The Incus backend against the real daemon: the whole contract, and Incus's own cases. */
class IncusContainerBackendIT extends ContainerBackendContract {
  private static final dev.coi.incus.IncusClient probe = dev.coi.incus.IncusClient.local();

  @org.junit.jupiter.api.extension.RegisterExtension
  final dev.coi.incus.LeakCheck leaks = new dev.coi.incus.LeakCheck(() -> probe);

  @Override
  protected ContainerBackend newBackend() {
    return new IncusContainerBackend();
  }

  @Override
  protected String image() {
    return "coi-test-min";
  }

  @Test
  void whereMountsCannotBeShiftedTheAgentsIdsAreMappedAsTheyAre() throws Exception {
    Files.setAttribute(workspace, "unix:uid", 1000);
    Files.setAttribute(workspace, "unix:gid", 1000);
    try (IncusContainerBackend unshifted = new IncusContainerBackend()) {
      unshifted.configure(BackendSettings.builder().shiftMounts(false).build());
      String name = newName();
      unshifted.create(spec(name).idMap(dev.coi.api.spi.IdMap.of(1000, 1000, 1000, 1000)).build());

      dev.coi.incus.Instance instance = probe.instances().get(name);
      assertEquals("uid 1000 1000\ngid 1000 1000", instance.config().get("raw.idmap"));
      assertFalse(instance.devices().get("workspace").containsKey("shift"));
      dev.coi.api.ExecResult touched =
          unshifted.exec(
              name,
              dev.coi.api.spi.ExecSpec.builder()
                  .command(java.util.List.of("touch", "/workspace/unshifted"))
                  .uid(1000)
                  .gid(1000)
                  .build());
      assertEquals(0, touched.exitCode(), touched.stderr());
      assertEquals(1000, Files.getAttribute(workspace.resolve("unshifted"), "unix:uid"));
      unshifted.delete(name);
    }
  }

  @Test
  void networkNoneGivesTheContainerNoNicButLoopback() {
    String name = newName();
    backend.create(spec(name).network(NetworkPolicy.of(NetworkMode.NONE)).build());

    assertEquals(Map.of("type", "none"), probe.instances().get(name).expandedDevices().get("eth0"));
    assertEquals("lo", interfaces(name));
  }

  /** This daemon's default profile has no NIC: restricted runs as none, and makes no ACL. */
  @Test
  void withoutANicInTheProfileAFilteredModeRunsWithoutNetworkAndMakesNoAcl() {
    assertTrue(backend.networkSupport().nic().isEmpty(), backend.networkSupport().describe());
    for (NetworkMode mode : List.of(NetworkMode.RESTRICTED, NetworkMode.ALLOWLIST)) {
      String name = newName();
      backend.create(spec(name).network(NetworkPolicy.of(mode)).build());
      assertEquals("lo", interfaces(name), mode.toString());
      assertTrue(
          probe.networkAcls().list(Map.of("user.coi.container", name)).isEmpty(), mode.toString());
    }
  }

  /**
   * A stop under way shows in {@code stopping()}: a graceful one, which this image's init ignores,
   * so that it is still under way when asked, however slow the machine.
   */
  @Test
  void aStopUnderWayIsSeenUntilItIsDone() throws Exception {
    String name = newName();
    backend.create(spec(name).ephemeral(false).build());
    java.util.concurrent.CompletableFuture<Void> shutdown =
        java.util.concurrent.CompletableFuture.runAsync(
            () -> backend.shutdown(name, java.time.Duration.ofMinutes(2)));
    try {
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
      while (!backend.stopping().contains(name)) {
        assertTrue(System.nanoTime() < deadline, "no stop of " + name + " seen in 30 s");
        assertFalse(shutdown.isDone(), "the graceful stop ended: the init did not ignore it");
        Thread.sleep(20);
      }
    } finally {
      backend.stop(name); // the hard way, which ends the graceful one too
      shutdown.handle((done, failed) -> null).get(1, java.util.concurrent.TimeUnit.MINUTES);
    }

    assertTrue(eventually(() -> !backend.stopping().contains(name)), "still stopping");
  }

  private String interfaces(String name) {
    ExecResult ls =
        backend.exec(name, ExecSpec.builder().command(List.of("ls", "/sys/class/net")).build());
    assertEquals(0, ls.exitCode(), ls.stderr());
    return ls.stdout().trim();
  }

  @Test
  void isFoundByServiceLoader() {
    assertTrue(
        ServiceLoader.load(ContainerBackend.class).stream()
            .anyMatch(p -> p.type() == IncusContainerBackend.class));
  }

  @Test
  void aMissingSocketMakesItUnavailableWithTheSocketAndTheRemedyNamed() {
    try (IncusContainerBackend missing =
        new IncusContainerBackend(Map.of("INCUS_SOCKET", "/nonexistent/unix.socket"))) {
      Availability a = missing.availability();
      assertFalse(a.isAvailable());
      assertTrue(a.reason().contains("/nonexistent/unix.socket"), a.reason());
      assertTrue(a.reason().contains("start the daemon"), a.reason());
      assertThrows(IncusUnavailableException.class, () -> missing.find("coi-test-anything"));
    }
  }

  @Test
  void theCreatedInstanceIsUnprivilegedWithNestingAndShiftedMounts() {
    String name = newName();
    backend.create(spec(name).build());

    Map<String, String> config = probe.instances().get(name).config();
    assertFalse("true".equals(config.get("security.privileged")));
    assertEquals("true", config.get("security.nesting"));
    assertEquals("true", config.get("security.syscalls.intercept.mknod"));
    assertEquals("contract", config.get("user.coi.test"));
    Map<String, String> disk = probe.instances().get(name).devices().get("workspace");
    assertEquals("/workspace", disk.get("path"));
    assertEquals(workspace.toString(), disk.get("source"));
  }

  @Test
  void aFailedStartLeavesNoInstanceBehind() {
    String name = newName();
    // A mount whose host directory vanished makes the start fail after the instance exists.
    ContainerSpec broken =
        spec(name)
            .addMounts(dev.coi.api.Mount.of(workspace.resolve("does-not-exist"), "/data"))
            .build();

    assertThrows(dev.coi.api.CoiException.class, () -> backend.create(broken));
    assertTrue(backend.find(name).isEmpty());
  }

  /** The Debian image, with bash, stty and uid 1000. */
  private static final String SANDBOX = "coi-sandbox";

  /** Starts {@code command} on a terminal of {@code size} in a new sandbox container. */
  private RunningCommand onSandboxTerminal(TerminalSize size, String... command) {
    String name = newName();
    backend.create(spec(name).image(SANDBOX).build());
    return backend.start(name, onTerminal(size, command));
  }

  private static ExecSpec onTerminal(TerminalSize size, String... command) {
    return ExecSpec.builder()
        .command(List.of(command))
        .uid(1000)
        .gid(1000)
        .cwd("/workspace")
        .putEnvironment("TERM", "xterm")
        .terminal(size)
        .build();
  }

  @Test
  void aTerminalExecRunsOnAPseudoTerminalOfTheGivenSizeWithOneOutputStream() throws IOException {
    try (RunningCommand sh =
        onSandboxTerminal(
            TerminalSize.of(100, 30), "sh", "-c", "tty; stty size; echo to-stderr >&2; exit 3")) {
      String out = new String(sh.stdout().readAllBytes(), UTF_8);

      assertTrue(out.contains("/dev/pts/"), out);
      assertTrue(out.contains("30 100"), out);
      assertTrue(out.contains("to-stderr"), out);
      assertEquals(-1, sh.stderr().read());
      assertEquals(3, sh.waitFor());
    }
  }

  @Test
  void aResizedTerminalReachesTheRunningProgram() throws IOException {
    try (RunningCommand bash =
        onSandboxTerminal(
            TerminalSize.of(80, 24),
            "bash",
            "-c",
            "trap 'stty size; exit 7' WINCH; echo ready; while :; do read -r -t 1 _; done")) {
      String before = readUntil(bash.stdout(), "ready");
      assertTrue(before.contains("ready"), before);

      bash.resize(TerminalSize.of(120, 40));

      String after = new String(bash.stdout().readAllBytes(), UTF_8);
      assertTrue(after.contains("40 120"), after);
      assertEquals(7, bash.waitFor());
    }
  }

  @Test
  void typedInputReachesAProgramOnATerminal() throws IOException {
    try (RunningCommand bash =
        onSandboxTerminal(
            TerminalSize.of(80, 24), "bash", "-c", "read -r line; echo \"got:$line\"; exit 4")) {
      bash.stdin().write("hello\n".getBytes(UTF_8));
      bash.stdin().flush();

      String out = new String(bash.stdout().readAllBytes(), UTF_8);
      assertTrue(out.contains("got:hello"), out);
      assertEquals(4, bash.waitFor());
    }
  }

  @Test
  @org.junit.jupiter.api.Timeout(60) // a guard: without the fix this waits for ever
  void aTerminalCommandsExitCodeComesWithoutItsOutputBeingRead() throws IOException {
    try (RunningCommand sh =
        onSandboxTerminal(TerminalSize.of(80, 24), "sh", "-c", "echo hi; exit 5")) {
      assertEquals(5, sh.waitFor());
      assertTrue(new String(sh.stdout().readAllBytes(), UTF_8).contains("hi"));
    }
  }

  @Test
  void resizingACommandWithoutATerminalDoesNothing() throws IOException {
    String name = newName();
    backend.create(spec(name).build());

    try (RunningCommand echo =
        backend.start(name, ExecSpec.builder().command(List.of("echo", "plain")).build())) {
      echo.resize(TerminalSize.of(120, 40));

      assertEquals("plain\n", new String(echo.stdout().readAllBytes(), UTF_8));
      assertEquals(0, echo.waitFor());
    }
  }

  /** Reads until the text has been seen or the stream ends; what was read. */
  private static String readUntil(InputStream in, String text) throws IOException {
    java.io.ByteArrayOutputStream seen = new java.io.ByteArrayOutputStream();
    int b;
    while (!seen.toString(UTF_8).contains(text) && (b = in.read()) >= 0) {
      seen.write(b);
    }
    return seen.toString(UTF_8);
  }

  @Test
  void limitsBecomeIncusConfigAndHoldInTheContainer() {
    String name = newName();
    backend.create(
        spec(name)
            .putLimits("cpu", "1")
            .putLimits("memory", "256MiB")
            .putLimits("processes", "100")
            .build());

    Map<String, String> config = probe.instances().get(name).config();
    assertEquals("1", config.get("limits.cpu"));
    assertEquals("256MiB", config.get("limits.memory"));
    assertEquals("100", config.get("limits.processes"));
    // Without LXCFS /proc shows the host's memory; the cgroup holds the limits. On a cgroup v1
    // host the busybox image mounts no controllers (a systemd image mounts them while it boots),
    // so the test mounts them itself (nesting allows it).
    String script =
        "if [ -f /sys/fs/cgroup/memory.max ]; then"
            + " cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max; else"
            + " mkdir -p /tmp/coi-m /tmp/coi-p"
            + " && mount -t cgroup -o memory cgroup /tmp/coi-m"
            + " && mount -t cgroup -o pids cgroup /tmp/coi-p"
            + " && cat /tmp/coi-m/memory.limit_in_bytes /tmp/coi-p/pids.max; fi";
    ExecResult r =
        backend.exec(name, ExecSpec.builder().command(List.of("sh", "-c", script)).build());
    assertEquals("268435456\n100\n", r.stdout(), r.stderr());
  }

  @Test
  void aCpuSetLimitPinsTheContainer() throws InterruptedException {
    // A set ("0-0") is pinned as the container starts; on a loaded machine the first exec has
    // still been seen (CI, session 4) before the cgroup's CPUs took effect, so it is awaited.
    String name = newName();
    backend.create(spec(name).putLimits("cpu", "0-0").build());
    ExecSpec nproc = ExecSpec.builder().command(List.of("nproc")).build();

    dev.coi.incus.Await.until(
        "nproc says 1 in the pinned container",
        () -> backend.exec(name, nproc).stdout().equals("1\n"));
  }

  @Test
  void aMemoryLimitIncusRefusesIsNamedInOneLineAndLeavesNothing() {
    InvalidSpecException e =
        refusedCreate(InvalidSpecException.class, spec -> spec.putLimits("memory", "lots"));

    assertTrue(e.getMessage().startsWith("memory limit \"lots\""), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void aCpuLimitIncusRefusesIsNamed() {
    InvalidSpecException e =
        refusedCreate(
            InvalidSpecException.class,
            spec -> spec.putLimits("memory", "256MiB").putLimits("cpu", "many"));

    assertTrue(e.getMessage().startsWith("cpu limit \"many\""), e.getMessage());
  }

  @Test
  void aNegativeProcessLimitIsRefusedBeforeAnythingIsCreated() {
    InvalidSpecException e =
        refusedCreate(InvalidSpecException.class, spec -> spec.putLimits("processes", "-5"));

    assertTrue(e.getMessage().contains("\"-5\""), e.getMessage());
  }
}
