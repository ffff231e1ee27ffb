package dev.coi.api.spi;

import dev.coi.api.internal.ValueStyle;
import org.immutables.value.Value;

/**
 * Maps one host user and group onto one container user and group, for mounts whose host owner is
 * not the container user (a workspace owned by root, say): files keep the host owner on the host.
 */
@Value.Immutable
@ValueStyle
public abstract class IdMap {
  IdMap() {}

  public abstract int hostUid();

  public abstract int hostGid();

  public abstract int containerUid();

  public abstract int containerGid();

  public static IdMap of(int hostUid, int hostGid, int containerUid, int containerGid) {
    return ImmutableIdMap.builder()
        .hostUid(hostUid)
        .hostGid(hostGid)
        .containerUid(containerUid)
        .containerGid(containerGid)
        .build();
  }
}
