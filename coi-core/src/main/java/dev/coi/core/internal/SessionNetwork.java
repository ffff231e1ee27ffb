package dev.coi.core.internal;

import dev.coi.api.NetworkPolicy;
import dev.coi.api.SessionSpec;
import dev.coi.core.config.Config;

/** A session's network policy: the spec's mode over the configuration's, and its lists if given. */
final class SessionNetwork {
  private SessionNetwork() {}

  static NetworkPolicy of(SessionSpec spec, Config config) {
    NetworkPolicy configured = config.network();
    if (spec.network().isEmpty()) {
      return configured;
    }
    NetworkPolicy asked = spec.network().get();
    return NetworkPolicy.builder()
        .mode(asked.mode())
        .allowCidrs(asked.allowCidrs().isEmpty() ? configured.allowCidrs() : asked.allowCidrs())
        .allowDomains(
            asked.allowDomains().isEmpty() ? configured.allowDomains() : asked.allowDomains())
        .ports(asked.ports().isEmpty() ? configured.ports() : asked.ports())
        .build();
  }
}
