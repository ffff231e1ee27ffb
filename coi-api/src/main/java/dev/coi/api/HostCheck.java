package dev.coi.api;

import dev.coi.api.value.ValueStyle;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * One finding of {@link Sessions#checkHost()}: what was checked, how it stands, what was seen and,
 * when it is not fine, what to do.
 *
 * <pre>{@code
 * boolean healthy = Sessions.checkHost().stream().noneMatch(c -> c.status() == HostCheck.Status.FAILED);
 * }</pre>
 */
@Value.Immutable
@ValueStyle
public abstract class HostCheck {
  HostCheck() {}

  /** How a check stands. */
  public enum Status {
    /** Fine. */
    OK,
    /** Sessions can run, but something is worse than it should be. */
    WARNING,
    /** Sessions cannot run, or some cannot, until it is fixed. */
    FAILED
  }

  /** What was checked, in a few words: {@code daemon}, {@code storage pool}. */
  public abstract String name();

  public abstract Status status();

  /** What was seen: a version, a driver, the free space. */
  public abstract String detail();

  /** What to do about it; present when the status is not {@link Status#OK}. */
  public abstract Optional<String> fix();

  public static HostCheck ok(String name, String detail) {
    return builder().name(name).status(Status.OK).detail(detail).build();
  }

  public static HostCheck of(String name, Status status, String detail, String fix) {
    return builder().name(name).status(status).detail(detail).fix(fix).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link HostCheck}; for engines and backends. */
  public static class Builder extends ImmutableHostCheck.Builder {
    Builder() {}
  }
}
