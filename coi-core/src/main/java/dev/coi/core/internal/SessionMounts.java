package dev.coi.core.internal;

import dev.coi.api.Mount;
import dev.coi.api.SessionSpec;
import dev.coi.core.config.Config;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Every host directory a session mounts besides its agent state: the workspace at {@code
 * /workspace}, storage at {@code /storage}, the spec's and the configured mounts; checked before
 * anything is created.
 */
final class SessionMounts {
  static final String WORKSPACE_TARGET = "/workspace";
  static final String STORAGE_TARGET = "/storage";

  private SessionMounts() {}

  /** The checked mounts, the workspace first. */
  static List<Mount> plan(Path workspace, SessionSpec spec, Config config, Path home) {
    List<Mount> mounts = new ArrayList<>();
    mounts.add(Mount.of(workspace, WORKSPACE_TARGET));
    mounts.addAll(spec.mounts());
    mounts.addAll(ExtraMounts.checked(config));
    return mounts;
  }
}
