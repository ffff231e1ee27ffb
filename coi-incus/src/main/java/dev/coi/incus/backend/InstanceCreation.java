package dev.coi.incus.backend;

import dev.coi.api.CoiException;
import dev.coi.api.ConflictException;
import dev.coi.api.ImageNotFoundException;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.incus.IncusClient;
import dev.coi.incus.InstanceCreate;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The create request of a container, and what its failure means: a name taken by another program,
 * an instance a failed start left (removed, then created once more), a missing image, a limit the
 * daemon refuses.
 */
final class InstanceCreation {
  private final Supplier<IncusClient> client;
  private final Function<String, Optional<ContainerInfo>> find;
  private final Consumer<String> deleteInstance;

  InstanceCreation(
      Supplier<IncusClient> client,
      Function<String, Optional<ContainerInfo>> find,
      Consumer<String> deleteInstance) {
    this.client = client;
    this.find = find;
    this.deleteInstance = deleteInstance;
  }

  void create(ContainerSpec spec, InstanceCreate request) {
    for (int attempt = 1; ; attempt++) {
      try {
        client.get().instances().create(request);
        return;
      } catch (ConflictException e) {
        throw new ConflictException("container " + spec.name() + " already exists");
      } catch (CoiException e) {
        Optional<CoiException> explained = explainFailedCreate(spec, e);
        if (explained.isPresent()) {
          throw explained.get();
        }
        if (attempt > 1) {
          throw e;
        }
        // The name's holder was being deleted as we created: it is free now, so once more.
      }
    }
  }

  /**
   * Decides from the daemon's state, not its wording, what a failed create means. Racing creates of
   * one name fail in several ways ("already exists", a database constraint, "busy running a start
   * operation"): an instance of that name that is not ours means the name is taken. One that is
   * ours was left by a start that failed, and is removed. A missing image is the usual other cause,
   * and Incus words that several ways too. A limit the daemon refuses is checked before anything is
   * created; its failure names the value or the resource. Empty when nothing explains it: no
   * instance of that name is left and the image is there, as when the name's holder was being
   * deleted.
   */
  private Optional<CoiException> explainFailedCreate(ContainerSpec spec, CoiException failure) {
    try {
      Optional<ContainerInfo> left = find.apply(spec.name());
      if (left.isPresent() && !left.get().labels().equals(spec.labels())) {
        return Optional.of(new ConflictException("container " + spec.name() + " already exists"));
      }
      if (left.isPresent()) {
        deleteInstance.accept(spec.name()); // its ACL stays for the next attempt
      }
      if (!imageExists(spec.image())) {
        return Optional.of(
            new ImageNotFoundException(
                spec.image(),
                "image '"
                    + spec.image()
                    + "' not found on Incus: build it (bash images/setup-host.sh builds coi's"
                    + " images) or choose another with CLAUDE_ON_INCUS_IMAGE"));
      }
      if (left.isEmpty()) {
        return InstanceRequests.refusedLimit(spec, failure);
      }
      return Optional.of(failure);
    } catch (CoiException whileExplaining) {
      failure.addSuppressed(whileExplaining);
      return Optional.of(failure);
    }
  }

  private boolean imageExists(String image) {
    return client.get().images().find(image).isPresent();
  }
}
