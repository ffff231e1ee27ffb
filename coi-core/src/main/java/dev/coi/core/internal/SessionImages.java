package dev.coi.core.internal;

import dev.coi.api.SessionSpec;
import dev.coi.core.config.Config;

/** The image a session starts from. */
final class SessionImages {
  private SessionImages() {}

  static String of(SessionSpec spec, Config config) {
    return config.defaults().image();
  }
}
