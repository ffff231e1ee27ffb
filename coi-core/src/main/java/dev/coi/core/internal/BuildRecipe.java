package dev.coi.core.internal;

import dev.coi.api.InvalidSpecException;
import dev.coi.hostfs.Entry;
import dev.coi.hostfs.HostDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A recipe script and what its header lines ask for ({@code # coi-build: base|file|apt|npm …}, see
 * {@link dev.coi.api.ImageBuild}), with the hash that says whether an image is up to date: the
 * SHA-256 of the script and of every file it names, so that editing any of them rebuilds.
 *
 * <p>The script and its files are read once, through directory handles ({@link HostDir}), never
 * following a symbolic link below the script's directory (or below the common ancestor of that
 * directory and a file named with {@code ..}): a recipe may lie in a tree an agent can write, and a
 * file swapped for a link between the look and the read is refused rather than read. What is hashed
 * is exactly what is sent to the build.
 */
record BuildRecipe(
    Path script,
    byte[] content,
    Optional<String> base,
    List<RecipeFile> files,
    List<String> apt,
    List<String> npm,
    String hash) {

  private static final Pattern HEADER = Pattern.compile("^#\\s*coi-build:\\s*(\\S+)\\s*(.*)$");
  private static final Pattern PACKAGE = Pattern.compile("[@a-zA-Z0-9][@a-zA-Z0-9.+:~/=_-]*");

  /** The largest script or file a recipe may name: both are held in memory, hashed and sent. */
  static final long MAX_BYTES = 64L * 1024 * 1024;

  /**
   * A file a {@code file} header names, as read: its name, content and whether it is executable.
   */
  record RecipeFile(Path path, byte[] content, boolean executable) {
    String name() {
      return path.getFileName().toString();
    }
  }

  /** Told of each host file just before it is opened; a seam for tests that swap it for a link. */
  interface Hook {
    Hook NONE = file -> {};

    void beforeRead(Path file);
  }

  /**
   * Reads and checks a recipe; every problem is an {@link InvalidSpecException} naming the line.
   */
  static BuildRecipe read(Path script) {
    return read(script, Hook.NONE);
  }

  static BuildRecipe read(Path script, Hook hook) {
    Path absolute = script.toAbsolutePath().normalize();
    if (absolute.getParent() == null) {
      throw new InvalidSpecException(
          "recipe " + script + " is not a file: give the path of a shell script");
    }
    byte[] content;
    try {
      content = readFile(absolute.getParent(), absolute, hook).content();
    } catch (NoSuchFileException e) {
      throw new InvalidSpecException(
          "recipe " + script + " is not a file: give the path of a shell script", e);
    } catch (IOException e) {
      throw new InvalidSpecException(
          "cannot read recipe "
              + script
              + ": "
              + reason(e)
              + ": give the path of a shell script (a symbolic link to one is not followed)",
          e);
    }
    Optional<String> base = Optional.empty();
    List<RecipeFile> files = new ArrayList<>();
    List<String> apt = new ArrayList<>();
    List<String> npm = new ArrayList<>();
    String[] lines = new String(content, StandardCharsets.UTF_8).split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      Matcher header = HEADER.matcher(lines[i].strip());
      if (!header.matches()) {
        continue;
      }
      String where = script + " line " + (i + 1);
      String value = header.group(2).strip();
      switch (header.group(1)) {
        case "base" -> base = Optional.of(word(value, where));
        case "file" -> files.add(file(absolute.getParent(), word(value, where), where, hook));
        case "apt" -> apt.addAll(packages(value, where));
        case "npm" -> npm.addAll(packages(value, where));
        default ->
            throw new InvalidSpecException(
                where
                    + ": unknown header 'coi-build: "
                    + header.group(1)
                    + "' (known: base, file, apt, npm)");
      }
    }
    return new BuildRecipe(
        script,
        content,
        base,
        List.copyOf(files),
        List.copyOf(apt),
        List.copyOf(npm),
        hash(content, files));
  }

  private static String word(String value, String where) {
    if (value.isEmpty() || value.contains(" ")) {
      throw new InvalidSpecException(
          where + ": expected one value after the header, got '" + value + "'");
    }
    return value;
  }

  /** A host file relative to the script's directory, read through handles, never via a link. */
  private static RecipeFile file(Path dir, String name, String where, Hook hook) {
    Path file = dir.resolve(name).normalize();
    try {
      return readFile(dir, file, hook);
    } catch (IOException e) {
      throw new InvalidSpecException(
          where
              + ": file "
              + file
              + " cannot be read: "
              + reason(e)
              + " (name a regular file; a symbolic link is never followed)",
          e);
    }
  }

  /**
   * Reads {@code file} from the deepest directory it shares with {@code dir} (opened by its path,
   * which the user gave), going down one handle at a time and refusing a link at every step.
   */
  private static RecipeFile readFile(Path dir, Path file, Hook hook) throws IOException {
    Path anchor = dir;
    while (!file.startsWith(anchor)) {
      anchor = anchor.getParent();
    }
    Path below = anchor.relativize(file);
    if (below.toString().isEmpty()) {
      throw new FileSystemException(file.toString(), null, "a directory");
    }
    hook.beforeRead(file);
    HostDir current = HostDir.open(anchor);
    try {
      for (int i = 0; i < below.getNameCount() - 1; i++) {
        HostDir next = current.directoryAsIs(below.getName(i).toString());
        current.close();
        current = next;
      }
      String name = below.getFileName().toString();
      Entry entry = current.stat(name).orElseThrow(() -> new NoSuchFileException(file.toString()));
      if (!entry.isFile()) {
        throw new FileSystemException(
            file.toString(),
            null,
            entry.isSymlink() ? "a symbolic link, never followed" : "not a regular file");
      }
      byte[] content = current.read(name, MAX_BYTES);
      return new RecipeFile(
          file, content, entry.permissions().contains(PosixFilePermission.OWNER_EXECUTE));
    } finally {
      current.close();
    }
  }

  private static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "not found";
    }
    return e instanceof FileSystemException f && f.getReason() != null
        ? f.getReason()
        : String.valueOf(e.getMessage());
  }

  private static List<String> packages(String value, String where) {
    List<String> names = new ArrayList<>();
    for (String name : value.split("\\s+")) {
      if (!PACKAGE.matcher(name).matches()) {
        throw new InvalidSpecException(where + ": '" + name + "' is not a package name");
      }
      names.add(name);
    }
    return names;
  }

  private static String hash(byte[] script, List<RecipeFile> files) {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
    // images/lib/common.sh (coi_build_recipe_hash) computes the same sum: change both together.
    sha256.update(digest(script));
    for (RecipeFile file : files) {
      sha256.update(file.name().getBytes(StandardCharsets.UTF_8));
      sha256.update(digest(file.content()));
    }
    return HexFormat.of().formatHex(sha256.digest());
  }

  private static byte[] digest(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** True when the recipe needs packages fetched on the host. */
  boolean fetches() {
    return !apt.isEmpty() || !npm.isEmpty();
  }
}
