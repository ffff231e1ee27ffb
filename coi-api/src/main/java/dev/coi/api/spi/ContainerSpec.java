package dev.coi.api.spi;

import dev.coi.api.Mount;
import dev.coi.api.value.ValueStyle;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * A container as the engine asks a backend to create it: created and started in one step where the
 * backend can. Labels are plain keys ({@code session}, {@code workspace}); each backend stores them
 * its own way (Incus: {@code user.coi.<key>}).
 */
@Value.Immutable
@ValueStyle
public abstract class ContainerSpec {
  ContainerSpec() {}

  public abstract String name();

  /** Image alias or fingerprint. */
  public abstract String image();

  /** True when the backend should delete the container as soon as it stops. */
  @Value.Default
  public boolean ephemeral() {
    return true;
  }

  public abstract Map<String, String> labels();

  /** Host directories to mount; owners are shifted so the host user keeps owning the files. */
  public abstract List<Mount> mounts();

  /**
   * Who owns the mounts on the host and which container user works on them; absent, mounts are
   * shifted where the backend can (host uid n is container uid n).
   */
  public abstract Optional<IdMap> idMap();

  /**
   * Resource limits by name: {@code cpu}, {@code memory}, {@code processes}, in Incus's notation
   * ({@code "2"}, {@code "4GiB"}, {@code "500"}).
   */
  public abstract Map<String, String> limits();

  /** True to let the container run containers itself (Docker inside the session). */
  @Value.Default
  public boolean nesting() {
    return true;
  }

  /**
   * False (the default) to refuse every process in the container the setuid and setgid bits: a file
   * it creates or changes can never carry them, so a mount whose files belong to host root (a
   * root-owned workspace, or container root on a shifted mount) cannot receive a setuid-root
   * program. The cost: nothing in the container can install a setuid program either (a package
   * manager or a container engine unpacking one fails on that file).
   */
  @Value.Default
  public boolean setidAllowed() {
    return false;
  }

  /**
   * What the container may reach over the network; absent, the backend's default network as it is
   * (the Incus profile's NIC). A backend that cannot honour the policy refuses the create.
   */
  public abstract Optional<dev.coi.api.NetworkPolicy> network();

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link ContainerSpec}. */
  public static class Builder extends ImmutableContainerSpec.Builder {
    Builder() {}
  }
}
