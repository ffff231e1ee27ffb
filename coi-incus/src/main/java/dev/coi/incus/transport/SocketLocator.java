package dev.coi.incus.transport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds the daemon's unix socket the way the Incus tools do: {@code $INCUS_SOCKET}, then {@code
 * $INCUS_DIR/unix.socket}, then {@code /run/incus/unix.socket}, then {@code
 * /var/lib/incus/unix.socket}. A path given by the environment is taken as is, even when missing,
 * so that the error names what the user asked for.
 */
public final class SocketLocator {
  static final List<Path> WELL_KNOWN =
      List.of(Path.of("/run/incus/unix.socket"), Path.of("/var/lib/incus/unix.socket"));

  private SocketLocator() {}

  public static Path locate(Map<String, String> env) {
    String explicit = env.get("INCUS_SOCKET");
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit);
    }
    String dir = env.get("INCUS_DIR");
    if (dir != null && !dir.isBlank()) {
      return Path.of(dir, "unix.socket");
    }
    List<Path> candidates = new ArrayList<>(WELL_KNOWN);
    return candidates.stream().filter(Files::exists).findFirst().orElse(candidates.get(1));
  }
}
