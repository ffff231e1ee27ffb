package dev.coi.core.internal;

import dev.coi.api.InvalidSpecException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
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
 */
record BuildRecipe(
    Path script,
    byte[] content,
    Optional<String> base,
    List<Path> files,
    List<String> apt,
    List<String> npm,
    String hash) {

  private static final Pattern HEADER = Pattern.compile("^#\\s*coi-build:\\s*(\\S+)\\s*(.*)$");
  private static final Pattern PACKAGE = Pattern.compile("[@a-zA-Z0-9][@a-zA-Z0-9.+:~/=_-]*");

  /**
   * Reads and checks a recipe; every problem is an {@link InvalidSpecException} naming the line.
   */
  static BuildRecipe read(Path script) {
    if (!Files.isRegularFile(script)) {
      throw new InvalidSpecException(
          "recipe " + script + " is not a file: give the path of a shell script");
    }
    byte[] content;
    try {
      content = Files.readAllBytes(script);
    } catch (IOException e) {
      throw new InvalidSpecException("cannot read recipe " + script + ": " + e.getMessage(), e);
    }
    Optional<String> base = Optional.empty();
    List<Path> files = new ArrayList<>();
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
        case "file" -> files.add(file(script, word(value, where), where));
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

  /** A host file next to the script (or below it); never a link, so the hash is of what is sent. */
  private static Path file(Path script, String name, String where) {
    Path dir = script.toAbsolutePath().getParent();
    Path file = dir.resolve(name).normalize();
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new InvalidSpecException(
          where + ": file " + file + " is not a regular file (a symbolic link is not followed)");
    }
    return file;
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

  private static String hash(byte[] script, List<Path> files) {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
    sha256.update(digest(script));
    for (Path file : files) {
      try {
        sha256.update(file.getFileName().toString().getBytes(StandardCharsets.UTF_8));
        sha256.update(digest(Files.readAllBytes(file)));
      } catch (IOException e) {
        throw new InvalidSpecException(
            "cannot read recipe file " + file + ": " + e.getMessage(), e);
      }
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
