package dev.coi.core.internal;

import dev.coi.api.CoiException;
import dev.coi.api.HostCheck;
import dev.coi.api.spi.BackendSettings;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.core.config.Config;
import dev.coi.core.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code coi doctor}'s findings: the configuration, the backend's own (daemon, features, storage,
 * images), whether the current directory's owner can be mapped into a container, and the free space
 * where sessions are saved. Each failure says what to do; nothing here throws.
 */
final class HostChecks {
  /** Less free space than this where sessions are saved is a warning. */
  private static final long LOW_DISK = 1024L * 1024 * 1024;

  private HostChecks() {}

  static List<HostCheck> run(
      ConfigLoader loader,
      Function<BackendSettings, ContainerBackend> backends,
      IdDelegation idDelegation) {
    List<HostCheck> checks = new ArrayList<>();
    Config config;
    try {
      config = loader.load();
      checks.add(HostCheck.ok("configuration", "read without errors"));
    } catch (CoiException e) {
      checks.add(
          HostCheck.of(
              "configuration",
              HostCheck.Status.FAILED,
              e.getMessage(),
              "fix the file and line named; 'coi config show' lists every key"));
      return checks;
    }
    ContainerBackend backend;
    try {
      backend = backends.apply(Backends.settings(config.incus(), config.defaults().backend()));
      checks.addAll(backend.checks());
      checks.add(network(backend.networkSupport(), config.network().mode()));
    } catch (CoiException e) {
      checks.add(
          HostCheck.of(
              "daemon",
              HostCheck.Status.FAILED,
              e.getMessage(),
              "start Incus (systemctl start incus), or run images/setup-host.sh to install it"));
    }
    checks.add(idMapping(idDelegation, Path.of("").toAbsolutePath()));
    checks.add(disk(config.paths().sessionsDir()));
    return checks;
  }

  /** Whether a workspace here could be mapped: its owner's ids delegated to root. */
  /** Whether the configured network mode can be honoured here; every mode's verdict in detail. */
  static HostCheck network(dev.coi.api.NetworkSupport support, dev.coi.api.NetworkMode mode) {
    String modes = support.describe().strip().replace("\n", ";").replaceAll(" +", " ");
    if (support.supports(mode)) {
      return HostCheck.ok(
          "network", "network.mode " + mode.configName() + " works here (" + modes + ")");
    }
    return HostCheck.of(
        "network",
        HostCheck.Status.FAILED,
        support.refusal(mode),
        "set network.mode (or --network) to a mode supported here: " + modes);
  }

  static HostCheck idMapping(IdDelegation idDelegation, Path here) {
    String name = "id mapping";
    Workspaces.Owner owner;
    try {
      owner = Workspaces.owner(here);
    } catch (CoiException e) {
      return HostCheck.of(name, HostCheck.Status.WARNING, e.getMessage(), "run coi in a workspace");
    }
    if (owner.isAgent()) {
      return HostCheck.ok(name, here + " is owned by uid 1000, the agent's: shifted as it is");
    }
    try {
      idDelegation.check(here, owner);
      return HostCheck.ok(
          name, "uid " + owner.uid() + " and gid " + owner.gid() + " are delegated to root");
    } catch (CoiException e) {
      return HostCheck.of(
          name,
          HostCheck.Status.FAILED,
          "uid " + owner.uid() + ":" + owner.gid() + " (owner of " + here + ") is not delegated",
          e.getMessage() + "; 'sudo coi doctor --fix' adds the lines");
    }
  }

  /** Free space on the file system holding the sessions directory (or its nearest parent). */
  static HostCheck disk(Path sessionsDir) {
    String name = "free disk";
    Optional<Path> existing = Optional.of(sessionsDir.toAbsolutePath());
    while (existing.isPresent() && !Files.exists(existing.get())) {
      existing = Optional.ofNullable(existing.get().getParent());
    }
    try {
      long free = Files.getFileStore(existing.orElse(Path.of("/"))).getUsableSpace();
      String detail =
          String.format("%.1f GiB free for %s", free / (1024.0 * 1024 * 1024), sessionsDir);
      return free < LOW_DISK
          ? HostCheck.of(
              name,
              HostCheck.Status.WARNING,
              detail,
              "free space: coi clean --sessions removes saved sessions")
          : HostCheck.ok(name, detail);
    } catch (IOException e) {
      return HostCheck.of(
          name, HostCheck.Status.WARNING, "cannot read: " + e.getMessage(), "check " + sessionsDir);
    }
  }
}
