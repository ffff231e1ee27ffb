package dev.coi.core.internal;

import dev.coi.api.InvalidSpecException;
import dev.coi.api.Mount;
import dev.coi.core.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The configured {@code [[mounts]]}, checked before anything is created: each source exists, and no
 * target lies inside another (or the workspace's), which Incus would mount in an order of its own
 * choosing.
 */
final class ExtraMounts {
  private ExtraMounts() {}

  static List<Mount> checked(Config config) {
    List<String> targets = new ArrayList<>(List.of(ContainerSession.WORKSPACE_TARGET));
    for (Mount mount : config.mounts()) {
      String origin = config.originOf("mounts[" + mount.target() + "]").orElse("configuration");
      if (!Files.exists(mount.source())) {
        throw new InvalidSpecException(
            "mount source "
                + mount.source()
                + " for "
                + mount.target()
                + " does not exist ("
                + origin
                + "): create it or remove the [[mounts]] entry");
      }
      for (String other : targets) {
        if (Path.of(other).startsWith(mount.target())
            || Path.of(mount.target()).startsWith(other)) {
          throw new InvalidSpecException(
              "mount target "
                  + mount.target()
                  + " overlaps "
                  + other
                  + " ("
                  + origin
                  + "): choose a target outside every other mount");
        }
      }
      targets.add(mount.target());
    }
    return config.mounts();
  }
}
