package dev.coi.incus.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.BackendException;
import dev.coi.api.CoiException;
import dev.coi.api.InvalidSpecException;
import dev.coi.api.Mount;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.ContainerStatus;
import dev.coi.api.spi.ExecSpec;
import dev.coi.api.spi.IdMap;
import dev.coi.incus.ExecRequest;
import dev.coi.incus.InstanceCreate;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InstanceRequestsTest {
  private final ContainerSpec.Builder base =
      ContainerSpec.builder()
          .name("claude-0123abcd-1")
          .image("coi-sandbox")
          .putLabels("slot", "1")
          .addMounts(Mount.of(Path.of("/src/app"), "/workspace"));

  @Test
  void aContainerIsOneCreateThatStartsItWithLabelsNestingAndAShiftedWorkspace() {
    InstanceCreate create = InstanceRequests.create(base.build());

    assertEquals("claude-0123abcd-1", create.name());
    assertTrue(create.start());
    assertTrue(create.ephemeral());
    assertEquals("coi-sandbox", create.image());
    assertEquals("1", create.config().get("user.coi.slot"));
    assertEquals("true", create.config().get("security.nesting"));
    assertEquals("true", create.config().get("security.syscalls.intercept.mknod"));
    assertFalse(create.config().containsKey("security.privileged"));
    assertEquals(
        Map.of("type", "disk", "source", "/src/app", "path", "/workspace", "shift", "true"),
        create.devices().get("workspace"));
  }

  @Test
  void anIdMapReplacesShiftingWithRawIdmap() {
    InstanceCreate create = InstanceRequests.create(base.idMap(IdMap.of(0, 0, 1000, 1000)).build());

    assertEquals("uid 0 1000\ngid 0 1000", create.config().get("raw.idmap"));
    assertFalse(create.devices().get("workspace").containsKey("shift"));
  }

  @Test
  void theAgentsOwnIdsAreShiftedWhereTheKernelCanAndMappedWhereItCannot() {
    ContainerSpec spec = base.idMap(IdMap.of(1000, 1000, 1000, 1000)).build();

    InstanceCreate shifted = InstanceRequests.create(spec, true);
    assertEquals("true", shifted.devices().get("workspace").get("shift"));
    assertFalse(shifted.config().containsKey("raw.idmap"));

    InstanceCreate mapped = InstanceRequests.create(spec, false);
    assertEquals("uid 1000 1000\ngid 1000 1000", mapped.config().get("raw.idmap"));
    assertFalse(mapped.devices().get("workspace").containsKey("shift"));
  }

  @Test
  void withoutAMapOrShiftingMountsAreLeftAsTheyAre() {
    InstanceCreate create = InstanceRequests.create(base.build(), false);
    assertFalse(create.config().containsKey("raw.idmap"));
    assertFalse(create.devices().get("workspace").containsKey("shift"));
  }

  @Test
  void readOnlyMountsAndDeviceNames() {
    InstanceCreate create =
        InstanceRequests.create(
            base.addMounts(Mount.of(Path.of("/cache"), "/home/claude/.m2").withReadOnly(true))
                .build());
    assertEquals("true", create.devices().get("home-claude-.m2").get("readonly"));
  }

  @Test
  void targetsWhoseNamesWouldMeetGetDistinctDevices() {
    String deep = "/workspace/.git/modules/" + "a".repeat(70) + "/hooks";
    InstanceCreate create =
        InstanceRequests.create(
            base.addMounts(
                    Mount.of(Path.of("/x"), "/workspace/a-b"),
                    Mount.of(Path.of("/y"), "/workspace/a/b"),
                    Mount.of(Path.of("/z"), deep),
                    Mount.of(Path.of("/w"), deep.replace("/hooks", "/hookz")))
                .build());
    assertEquals(5, create.devices().size());
    assertEquals("/workspace/a-b", create.devices().get("workspace-a-b").get("path"));
    create.devices().keySet().forEach(name -> assertTrue(name.length() <= 64, name));
  }

  @Test
  void everyContainerIsRefusedTheSetidBitsUnlessTheSpecAllowsThem() {
    String rules =
        "\n" + InstanceRequests.create(base.build()).config().get("security.syscalls.deny");
    for (String call :
        List.of(
            "chmod",
            "fchmod",
            "fchmodat",
            "fchmodat2",
            "creat",
            "open",
            "openat",
            "mkdir",
            "mkdirat",
            "mknod",
            "mknodat")) {
      assertTrue(rules.contains("\n" + call + " errno 1 ["), call);
    }
    assertTrue(rules.contains("\nchmod errno 1 [1,2048,SCMP_CMP_MASKED_EQ,2048]\n"), rules);
    assertTrue(rules.contains("\nchmod errno 1 [1,1024,SCMP_CMP_MASKED_EQ,1024]\n"), rules);
    assertTrue(rules.contains("\nopenat errno 1 [3,2048,SCMP_CMP_MASKED_EQ,2048]\n"), rules);
    assertTrue(rules.contains("\nopenat2 errno 38\n"), rules);
    assertTrue(rules.contains("\nio_uring_setup errno 38\n"), rules);
    assertFalse(
        InstanceRequests.create(base.setidAllowed(true).build())
            .config()
            .containsKey("security.syscalls.deny"));
  }

  @Test
  void execKeepsTheArgumentVectorUserDirectoryAndEnvironment() {
    ExecRequest exec =
        InstanceRequests.exec(
            ExecSpec.builder()
                .command(List.of("sh", "-c", "echo 'a b'"))
                .uid(1000)
                .gid(1000)
                .cwd("/workspace")
                .putEnvironment("HOME", "/home/claude")
                .build());

    assertEquals(List.of("sh", "-c", "echo 'a b'"), exec.command());
    assertEquals(1000, exec.user());
    assertEquals("/workspace", exec.cwd());
    assertEquals(Map.of("HOME", "/home/claude"), exec.environment());
  }

  @Test
  void anExecRequestNeverShowsEnvironmentValues() {
    ExecRequest exec =
        InstanceRequests.exec(
            ExecSpec.builder()
                .command(List.of("true"))
                .putEnvironment("GH_TOKEN", "tok-SECRET")
                .build());
    assertEquals("tok-SECRET", exec.environment().get("GH_TOKEN"));
    assertFalse(exec.toString().contains("SECRET"), exec.toString());
  }

  @Test
  void statusesMapToCoisFewStates() {
    assertEquals(ContainerStatus.RUNNING, InstanceRequests.status("Running"));
    assertEquals(ContainerStatus.STOPPED, InstanceRequests.status("Stopped"));
    assertEquals(ContainerStatus.OTHER, InstanceRequests.status("Frozen"));
  }

  @Test
  void labelsAreReadBackWithoutTheirPrefixAndOtherConfigIsIgnored() {
    ContainerInfo info =
        InstanceRequests.info(
            dev.coi.incus.IncusValues.instance(
                "claude-1-1",
                "Running",
                Map.of("user.coi.slot", "1", "user.other", "x", "image.os", "debian")));
    assertEquals(Map.of("slot", "1"), info.labels());
    assertEquals(ContainerStatus.RUNNING, info.status());
  }

  @Test
  void limitsBecomeIncusLimitsConfig() {
    InstanceCreate create =
        InstanceRequests.create(
            base.putLimits("cpu", "2")
                .putLimits("memory", "4GiB")
                .putLimits("processes", "500")
                .build());

    assertEquals("2", create.config().get("limits.cpu"));
    assertEquals("4GiB", create.config().get("limits.memory"));
    assertEquals("500", create.config().get("limits.processes"));
  }

  @Test
  void anUnknownLimitOrANonPositiveProcessCountIsRefused() {
    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class,
            () -> InstanceRequests.create(base.putLimits("disk", "10GiB").build()));
    assertEquals("unknown limit 'disk': coi knows cpu, memory, processes", unknown.getMessage());
    assertThrows(
        InvalidSpecException.class,
        () -> InstanceRequests.create(base.limits(Map.of("processes", "0")).build()));
  }

  @Test
  void aRefusedCreateNamesTheLimitItsMessageMentions() {
    ContainerSpec spec = base.putLimits("cpu", "1").putLimits("memory", "lots").build();

    CoiException memory =
        InstanceRequests.refusedLimit(
                spec,
                new BackendException(
                    400, "Incus: Failed creating instance record: Invalid value: lots"))
            .orElseThrow();
    CoiException cpu =
        InstanceRequests.refusedLimit(
                spec, new BackendException(400, "Incus: Invalid CPU limit syntax"))
            .orElseThrow();

    assertTrue(
        memory.getMessage().startsWith("memory limit \"lots\" (limits.memory)"),
        memory.getMessage());
    assertTrue(cpu.getMessage().startsWith("cpu limit \"1\""), cpu.getMessage());
    assertTrue(
        InstanceRequests.refusedLimit(spec, new BackendException(500, "Incus: disk full"))
            .isEmpty());
  }
}
