package dev.coi.core.internal;

import dev.coi.api.SessionSpec;
import dev.coi.core.config.Config;
import java.util.Map;

/**
 * The resource limits of a session's container: the spec's over the configured {@code [limits]}.
 */
final class ContainerLimits {
  private ContainerLimits() {}

  static Map<String, String> of(SessionSpec spec, Config config) {
    return Map.of();
  }
}
