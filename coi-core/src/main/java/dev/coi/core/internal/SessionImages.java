package dev.coi.core.internal;

import dev.coi.api.SessionSpec;
import dev.coi.core.config.Config;

/**
 * The image a session starts from. An image the spec names is used as it is. Otherwise a privileged
 * session ({@link SessionSpec#privileged()} or {@code defaults.privileged}) trades the sandbox
 * image for {@value #PRIVILEGED}, its sibling with sudo, the GitHub CLI and an SSH client; any
 * other configured image is kept, since whoever chose it chose what is in it. Privileged is about
 * the agent's rights inside its container: the container itself is never an Incus-privileged one.
 */
final class SessionImages {
  static final String SANDBOX = "coi-sandbox";
  static final String PRIVILEGED = "coi-privileged";

  private SessionImages() {}

  static String of(SessionSpec spec, Config config) {
    if (spec.image().isPresent()) {
      return spec.image().get();
    }
    String configured = config.defaults().image();
    return privileged(spec, config) && configured.equals(SANDBOX) ? PRIVILEGED : configured;
  }

  /** Whether the session is privileged: the spec or the configuration says so. */
  static boolean privileged(SessionSpec spec, Config config) {
    return spec.privileged().orElse(config.defaults().privileged());
  }
}
