package dev.coi.incus.backend;

import dev.coi.incus.IncusClient;
import dev.coi.incus.NetworkAcl;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where an allowlist's refresh lands on the daemon: the session's ACL, read and written with its
 * entity tag, the container's {@code /etc/hosts}, written through the file API (as root, so the
 * agent user cannot keep it from being replaced), and the container's stop when either fails.
 */
record AllowlistTarget(Supplier<IncusClient> client, String container, String acl)
    implements AllowlistRefresh.Target {
  private static final System.Logger LOG = System.getLogger(AllowlistTarget.class.getName());

  @Override
  public NetworkAcl read() {
    return client.get().networkAcls().get(acl);
  }

  @Override
  public void write(NetworkAcl updated, Optional<String> etag) {
    client.get().networkAcls().update(updated, etag);
  }

  @Override
  public void writeHosts(byte[] content) {
    client.get().files().push(container, PinnedHosts.PATH, content, 0, 0, PinnedHosts.MODE);
  }

  /**
   * Stops the container at once and waits for it: whoever resumed the session learns of the failure
   * with the container already stopped. One already stopped, or gone, is left as it is.
   */
  @Override
  public void stopContainer(RuntimeException why) {
    LOG.log(
        System.Logger.Level.WARNING,
        "stopping " + container + ": its allowlist cannot follow its names: " + why.getMessage());
    try {
      client.get().instances().stop(container, true);
    } catch (dev.coi.api.CoiException stoppedOrGone) {
      why.addSuppressed(stoppedOrGone);
    }
  }
}
