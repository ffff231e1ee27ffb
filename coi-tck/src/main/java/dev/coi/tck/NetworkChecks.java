package dev.coi.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.coi.api.NetworkMode;
import dev.coi.api.NetworkPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The network promises of a {@link dev.coi.api.spi.ContainerBackend} every backend can keep: a
 * container it made without an allowlist filter, or none at all, reports no allowlist addresses.
 * (What a filtering backend reports is its own test's: the Incus backend's {@code PinnedHostsIT}.)
 */
public interface NetworkChecks extends BackendChecks {
  @Test
  default void aContainerWithoutAnAllowlistReportsNoAddresses() {
    String name = newName();
    backend().create(spec(name).network(NetworkPolicy.of(NetworkMode.NONE)).build());
    assertEquals(List.of(), backend().allowlist(name));
    assertEquals(List.of(), backend().allowlist(newName()), "a container that does not exist");
  }

  /** A hold keeps the container as it is; letting go (twice) neither stops nor removes it. */
  @Test
  default void aHoldLeavesTheContainerRunningWhenLetGo() {
    String name = newName();
    backend().create(spec(name).network(NetworkPolicy.of(NetworkMode.NONE)).build());
    dev.coi.api.spi.ContainerHold hold = backend().hold(name);
    hold.close();
    hold.close();
    assertEquals(
        dev.coi.api.spi.ContainerStatus.RUNNING, backend().find(name).orElseThrow().status());
  }
}
