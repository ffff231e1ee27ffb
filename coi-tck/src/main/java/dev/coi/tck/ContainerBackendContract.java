package dev.coi.tck;

import dev.coi.api.Mount;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.IdMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link ContainerBackend} must do, real or fake. An implementation's test extends this
 * and says how to make the backend and which image to use; the in-memory fake and the Incus backend
 * pass the same suite. The checks are in its parts: {@link LifecycleChecks}, {@link ExecChecks},
 * {@link FileChecks}, {@link NetworkChecks} and, for a backend that offers one, its image store's
 * {@link ImageStoreChecks}.
 *
 * <pre>{@code
 * class MyBackendIT extends ContainerBackendContract {
 *   protected ContainerBackend newBackend() { return new MyBackend(); }
 *   protected String image() { return "coi-test-min"; }
 * }
 * }</pre>
 */
public abstract class ContainerBackendContract
    implements LifecycleChecks, ExecChecks, FileChecks, NetworkChecks, ImageStoreChecks {
  protected ContainerBackend backend;
  private final List<String> created = new ArrayList<>();
  private final List<String> images = new ArrayList<>();
  @TempDir protected Path workspace;

  /** A fresh backend for one test. */
  protected abstract ContainerBackend newBackend();

  /** An image the backend has, small enough to start in about a second. */
  protected abstract String image();

  @BeforeEach
  void openBackend() throws IOException {
    backend = newBackend();
    try {
      // The container user is uid 1000; a shifted mount needs the workspace owned by it.
      Files.setAttribute(workspace, "unix:uid", 1000);
      Files.setAttribute(workspace, "unix:gid", 1000);
    } catch (IOException notRoot) {
      // Then the workspace stays ours and spec() maps us onto uid 1000 instead.
    }
  }

  @AfterEach
  void removeWhatWasMade() {
    for (String fingerprint : images) {
      store().delete(fingerprint);
    }
    for (String name : created) {
      backend.delete(name);
    }
    backend.close();
  }

  @Override
  public ContainerBackend backend() {
    return backend;
  }

  @Override
  public Path workspace() {
    return workspace;
  }

  @Override
  public String madeImage(String fingerprint) {
    images.add(fingerprint);
    return fingerprint;
  }

  @Override
  public String newName() {
    String name = "coi-test-tck-" + UUID.randomUUID().toString().substring(0, 8);
    created.add(name);
    return name;
  }

  @Override
  public ContainerSpec.Builder spec(String name) {
    ContainerSpec.Builder spec =
        ContainerSpec.builder()
            .name(name)
            .image(image())
            .putLabels("test", "contract")
            .putLabels("pid", Long.toString(ProcessHandle.current().pid()))
            .addMounts(Mount.of(workspace, "/workspace"));
    int uid = BackendChecks.owner(workspace, "unix:uid");
    if (uid != 1000) {
      spec.idMap(IdMap.of(uid, BackendChecks.owner(workspace, "unix:gid"), 1000, 1000));
    }
    return spec;
  }
}
