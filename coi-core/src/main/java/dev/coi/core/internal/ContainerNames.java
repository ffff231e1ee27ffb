package dev.coi.core.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Container names: {@code <prefix><first 8 hex of sha256(absolute workspace path)>-<slot>}, as the
 * Go tool names them, so that its users find their containers under the same names.
 */
final class ContainerNames {
  private ContainerNames() {}

  static String of(String prefix, Path workspace, int slot) {
    if (slot < 1) {
      throw new IllegalArgumentException("slots start at 1: " + slot);
    }
    return prefix + workspaceHash(workspace) + "-" + slot;
  }

  /** The first 8 hex characters of the SHA-256 of the path's string form. */
  static String workspaceHash(Path workspace) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(workspace.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
