package dev.coi.api.spi;

import dev.coi.api.value.ValueStyle;
import org.immutables.value.Value;

/**
 * Maps one host user and group onto one container user and group: the host owner of the mounts and
 * the container user who works on them. Files keep the host owner on the host. A backend chooses
 * how: Incus shifts mounts when the ids are the same and its kernel can, and otherwise maps them
 * with {@code raw.idmap}.
 */
@Value.Immutable
@ValueStyle
public abstract class IdMap {
  IdMap() {}

  public abstract int hostUid();

  public abstract int hostGid();

  public abstract int containerUid();

  public abstract int containerGid();

  /** True when the host ids are the container ids, as for a workspace of uid 1000. */
  public boolean isIdentity() {
    return hostUid() == containerUid() && hostGid() == containerGid();
  }

  public static IdMap of(int hostUid, int hostGid, int containerUid, int containerGid) {
    return ImmutableIdMap.builder()
        .hostUid(hostUid)
        .hostGid(hostGid)
        .containerUid(containerUid)
        .containerGid(containerGid)
        .build();
  }
}
