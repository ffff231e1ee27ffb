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

  /**
   * The labels recording the mode asked for and the mode the backend gives it (asking the backend
   * what it supports; the Incus backend asks its daemon once and keeps the answer).
   */
  static java.util.Map<String, String> labels(
      NetworkPolicy policy, dev.coi.api.spi.ContainerBackend containers) {
    return ContainerLabel.ofNetwork(
        policy.mode(), containers.networkSupport().effective(policy.mode()));
  }
}
