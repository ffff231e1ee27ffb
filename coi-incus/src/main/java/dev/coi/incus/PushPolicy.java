package dev.coi.incus;

import dev.coi.api.value.ValueStyle;
import java.util.OptionalInt;
import org.immutables.value.Value;

/**
 * The owner and modes a {@link InstanceFiles#pushTree} gives what it creates: one owner for every
 * entry, and either each entry's own permission bits on the host (the default) or fixed modes.
 *
 * <pre>{@code
 * PushPolicy asHost = PushPolicy.owner(1000, 1000);
 * PushPolicy locked = PushPolicy.builder().uid(1000).gid(1000).fileMode(0600).directoryMode(0700).build();
 * }</pre>
 */
@Value.Immutable
@ValueStyle
public abstract class PushPolicy {
  PushPolicy() {}

  /** The owner of every created entry, as a uid in the instance. */
  public abstract int uid();

  public abstract int gid();

  /** The mode of every file; empty to copy each file's permission bits from the host. */
  public abstract OptionalInt fileMode();

  /** The mode of every created directory; empty to copy each one's bits from the host. */
  public abstract OptionalInt directoryMode();

  /** Entries owned by {@code uid:gid}, with the host's permission bits. */
  public static PushPolicy owner(int uid, int gid) {
    return builder().uid(uid).gid(gid).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Value.Check
  void check() {
    InstanceFiles.checkOwner(uid(), gid());
    fileMode().ifPresent(PushPolicy::checkMode);
    directoryMode().ifPresent(PushPolicy::checkMode);
  }

  static void checkMode(int mode) {
    if (mode < 0 || mode > 07777) {
      throw new IllegalArgumentException(
          "a file mode is 0 to 07777 (octal), not " + Integer.toOctalString(mode));
    }
  }

  /** Builds a {@link PushPolicy}. */
  public static class Builder extends ImmutablePushPolicy.Builder {
    Builder() {}
  }
}
