package dev.coi.core.internal;

import dev.coi.api.BuildStep;
import dev.coi.api.ImageBuildException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fetches on the host what a recipe installs in its build container, which may have no network:
 * Debian packages with the host's apt (its sources and settings; lists of its own under the cache
 * directory, refreshed once a day) resolved against the base image's own package database, so that
 * exactly the packages the base lacks are downloaded; and npm packages with {@code npm pack}.
 * Downloads stay in the cache directory for the next build.
 */
final class HostFetch {
  private static final Duration LISTS_FRESH = Duration.ofDays(1);
  private static final Pattern URI_LINE = Pattern.compile("^'[^']+' (\\S+\\.deb) \\d+ .*$");

  private final Path cache;
  private final Consumer<String> output;
  private final OutputTail tail;

  HostFetch(Path cache, Consumer<String> output, OutputTail tail) {
    this.cache = cache;
    this.output = output;
    this.tail = tail;
  }

  /** The default cache: {@code $XDG_CACHE_HOME/coi/build}, else {@code ~/.cache/coi/build}. */
  static Path defaultCache() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base =
        xdg != null && xdg.startsWith("/")
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("coi").resolve("build");
  }

  /**
   * The .deb files of {@code packages} and of what they need that {@code dpkgStatus} (the base's
   * {@code /var/lib/dpkg/status}) does not have installed.
   */
  List<Path> apt(List<String> packages, byte[] dpkgStatus) throws IOException {
    Path dir = cache.resolve("apt");
    Path lists = dir.resolve("state").resolve("lists");
    Path archives = dir.resolve("archives");
    Files.createDirectories(lists.resolve("partial"));
    Files.createDirectories(archives.resolve("partial"));
    Path status = Files.createTempFile(dir, "status-", "");
    try {
      Files.write(status, dpkgStatus);
      List<String> options =
          List.of(
              "-q",
              "-o",
              "Dir::State=" + dir.resolve("state"),
              "-o",
              "Dir::State::status=" + status,
              "-o",
              "Dir::Cache=" + dir,
              "-o",
              "Dir::Cache::archives=" + archives,
              "-o",
              "Debug::NoLocking=1");
      if (stale(lists)) {
        update(options, lists);
      }
      List<String> install = new ArrayList<>(options);
      install.addAll(List.of("-y", "--no-install-recommends", "install"));
      List<String> names;
      try {
        names = debNames(install, packages);
      } catch (ImageBuildException maybeStale) {
        update(options, lists);
        names = debNames(install, packages);
      }
      List<String> download = new ArrayList<>(install);
      download.add("--download-only");
      download.addAll(packages);
      run("apt-get", download, cache);
      List<Path> debs = new ArrayList<>();
      for (String name : names) {
        debs.add(archives.resolve(name));
      }
      return debs;
    } finally {
      Files.deleteIfExists(status);
    }
  }

  /**
   * The file names of everything to install. Asked with an empty archive directory: apt leaves out
   * of {@code --print-uris} what its archive directory holds already.
   */
  private List<String> debNames(List<String> install, List<String> packages) throws IOException {
    Path empty = Files.createTempDirectory(cache.resolve("apt"), "names-");
    try {
      Files.createDirectories(empty.resolve("partial"));
      List<String> printUris = new ArrayList<>(install);
      printUris.addAll(List.of("-o", "Dir::Cache::archives=" + empty, "--print-uris"));
      printUris.addAll(packages);
      List<String> names = new ArrayList<>();
      for (String line : run("apt-get", printUris, cache)) {
        Matcher uri = URI_LINE.matcher(line);
        if (uri.matches()) {
          names.add(uri.group(1));
        }
      }
      return names;
    } finally {
      Files.deleteIfExists(empty.resolve("partial"));
      Files.deleteIfExists(empty);
    }
  }

  private void update(List<String> options, Path lists) throws IOException {
    List<String> update = new ArrayList<>(options);
    update.add("update");
    run("apt-get", update, cache);
    Files.setLastModifiedTime(lists, FileTime.from(Instant.now()));
  }

  private static boolean stale(Path lists) throws IOException {
    try (var entries = Files.list(lists)) {
      if (entries.noneMatch(p -> p.getFileName().toString().endsWith("Packages"))) {
        return true;
      }
    }
    Instant updated = Files.getLastModifiedTime(lists).toInstant();
    return updated.plus(LISTS_FRESH).isBefore(Instant.now());
  }

  /** The {@code npm pack} tarballs of the package specs ({@code name@version}). */
  List<Path> npm(List<String> specs) throws IOException {
    Path dir = cache.resolve("npm");
    Files.createDirectories(dir);
    List<String> args = new ArrayList<>(List.of("pack", "--pack-destination", dir.toString()));
    args.addAll(specs);
    List<Path> tarballs = new ArrayList<>();
    for (String line : run("npm", args, dir)) {
      if (line.endsWith(".tgz") && !line.contains("/") && !line.contains(" ")) {
        tarballs.add(dir.resolve(line));
      }
    }
    if (tarballs.size() != specs.size()) {
      throw failed(
          "npm pack gave " + tarballs.size() + " tarballs for " + specs.size() + " packages");
    }
    return tarballs;
  }

  /** Runs a host program, relaying its output; its lines, or a FETCH failure naming it. */
  private List<String> run(String program, List<String> args, Path cwd) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(program);
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(cwd.toFile())
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().put("LC_ALL", "C");
    builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
    Process process;
    try {
      process = builder.start();
    } catch (IOException notThere) {
      throw failed(
          program
              + " cannot be run on this host ("
              + notThere.getMessage()
              + "): a recipe's apt and npm headers are fetched on the host; install "
              + program);
    }
    List<String> lines = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        lines.add(line);
        tail.add(line);
        if (!URI_LINE.matcher(line).matches()) {
          output.accept(line);
        }
      }
    }
    try {
      int exit = process.waitFor();
      if (exit != 0) {
        throw failed(program + " " + String.join(" ", args) + " failed (exit code " + exit + ")");
      }
    } catch (InterruptedException e) {
      process.destroy();
      Thread.currentThread().interrupt();
      throw failed(program + " interrupted");
    }
    return lines;
  }

  private ImageBuildException failed(String message) {
    return new ImageBuildException(BuildStep.FETCH, "fetch: " + message, tail.lines(), null);
  }
}
