package dev.coi.core.internal;

import dev.coi.api.Limits;
import dev.coi.api.SessionSpec;
import dev.coi.core.config.Config;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The resource limits of a session's container: each of the spec's limits over the configured
 * {@code [limits]} one, as a map with the keys {@code cpu}, {@code memory} and {@code processes}
 * (the Incus backend writes them as {@code limits.*}); a limit set nowhere is left out.
 */
final class ContainerLimits {
  static final String CPU = "cpu";
  static final String MEMORY = "memory";
  static final String PROCESSES = "processes";

  private ContainerLimits() {}

  static Map<String, String> of(SessionSpec spec, Config config) {
    Optional<Limits> asked = spec.limits();
    Config.Limits configured = config.limits();
    Map<String, String> limits = new LinkedHashMap<>();
    asked.flatMap(Limits::cpu).or(configured::cpu).ifPresent(v -> limits.put(CPU, v));
    asked.flatMap(Limits::memory).or(configured::memory).ifPresent(v -> limits.put(MEMORY, v));
    asked
        .flatMap(Limits::processes)
        .or(configured::processes)
        .ifPresent(v -> limits.put(PROCESSES, v));
    return Collections.unmodifiableMap(limits);
  }
}
