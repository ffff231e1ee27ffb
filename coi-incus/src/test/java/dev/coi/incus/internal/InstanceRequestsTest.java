package dev.coi.incus.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
  void readOnlyMountsAndDeviceNames() {
    InstanceCreate create =
        InstanceRequests.create(
            base.addMounts(Mount.of(Path.of("/cache"), "/home/claude/.m2").withReadOnly(true))
                .build());
    assertEquals("true", create.devices().get("home-claude-.m2").get("readonly"));
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
}
