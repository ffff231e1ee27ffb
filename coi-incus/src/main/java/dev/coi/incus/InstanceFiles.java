package dev.coi.incus;

import com.fasterxml.jackson.databind.JsonNode;
import dev.coi.api.CoiException;
import dev.coi.api.ConflictException;
import dev.coi.api.NotFoundException;
import dev.coi.incus.transport.HttpRequest;
import dev.coi.incus.transport.HttpResponse;
import dev.coi.incus.transport.RequestBody;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The files of instances, running or stopped: push and pull files and whole trees, stat, delete,
 * make directories and symlinks. Owners are uids and gids inside the instance; modes are permission
 * bits written as octal literals.
 *
 * <pre>{@code
 * InstanceFiles files = client.files();
 * files.push("demo", "/home/claude/notes.txt", "hi\n".getBytes(UTF_8), 1000, 1000, 0640);
 * FileInfo info = files.stat("demo", "/home/claude/notes.txt");  // FILE 1000:1000 0640, 3 bytes
 * files.pushTree("demo", Path.of("src"), "/workspace/src", PushPolicy.owner(1000, 1000));
 * files.pullTree("demo", "/workspace/out", Path.of("out"));      // never writes outside out/
 * }</pre>
 *
 * <p>A missing path is a {@link NotFoundException} naming the instance and the path. {@link
 * #pull(String, String)} holds content in memory, up to 64 MiB ({@code TransportLimits}); {@link
 * #open(String, String)} and {@link #pull(String, String, OutputStream)} stream a file of any size;
 * pushed host files are streamed from disk.
 */
public final class InstanceFiles {
  /** A transfer may carry a large file; the read timeout runs from the end of the upload. */
  static final Duration TRANSFER_TIMEOUT = Duration.ofMinutes(5);

  private final Rest rest;
  private volatile Boolean headSupported;

  InstanceFiles(Rest rest) {
    this.rest = rest;
  }

  /**
   * Writes a file, creating or replacing it, owned by {@code uid:gid} with {@code mode}. The parent
   * directory must exist. Incus applies owner and mode only when it creates a file, so a file that
   * is there with another owner or mode is deleted first: the result always has the ones asked for.
   */
  public void push(String instance, String path, byte[] content, int uid, int gid, int mode) {
    push(instance, path, null, content, uid, gid, mode, true);
  }

  /** As {@link #push(String, String, byte[], int, int, int)}, streaming a host file's content. */
  public void push(String instance, String path, Path hostFile, int uid, int gid, int mode) {
    try (HostFileBody body = HostFileBody.open(hostFile)) {
      push(instance, path, body, null, uid, gid, mode, true);
    }
  }

  /** One file push; {@code mayExist} false skips the check when the parent was just created. */
  void push(
      String instance,
      String path,
      RequestBody streamed,
      byte[] content,
      int uid,
      int gid,
      int mode,
      boolean mayExist) {
    checkPath(path);
    checkOwner(uid, gid);
    PushPolicy.checkMode(mode);
    if (mayExist) {
      Optional<FileInfo> existing = head(instance, path);
      if (existing.isPresent() && existing.get().isDirectory()) {
        throw new ConflictException(
            "Incus: cannot write the file " + path + " in " + instance + ": it is a directory");
      }
      if (existing.isPresent()
          && (existing.get().isSymlink()
              || existing.get().uid() != uid
              || existing.get().gid() != gid
              || existing.get().mode() != mode)) {
        delete(instance, path);
      }
    }
    Map<String, String> headers = headers("file", uid, gid, mode);
    headers.put("X-Incus-write", "overwrite");
    send("POST", instance, path, headers, streamed, content, "its parent directory is missing");
  }

  /**
   * Reads a path: a file's bytes, a directory's names, or where a symlink leads, with its {@link
   * FileInfo}. Works on stopped instances too.
   */
  public FileContent pull(String instance, String path) {
    Fetched fetched = fetch(instance, path);
    return ImmutableFileContent.builder()
        .info(fetched.info())
        .content(fetched.body())
        .entries(fetched.entries())
        .build();
  }

  /**
   * Reads a path as a stream, for files too large to hold in memory: see {@link FileStream}. Works
   * on stopped instances too.
   */
  public FileStream open(String instance, String path) {
    return FileStream.open(rest, instance, path);
  }

  /**
   * Copies a file's content into {@code target}, which stays open, through a small buffer whatever
   * the file's size; returns its info, the size being what was copied. A directory or a symlink is
   * refused with a {@link ConflictException} ({@link #pull(String, String)} reads those).
   */
  public FileInfo pull(String instance, String path, OutputStream target) {
    try (FileStream pulled = open(instance, path)) {
      if (!pulled.info().isFile()) {
        throw new ConflictException(
            "Incus: "
                + path
                + " in instance "
                + instance
                + " is a "
                + pulled.info().type().name().toLowerCase(java.util.Locale.ROOT)
                + ", not a file");
      }
      long copied;
      try {
        copied = pulled.content().transferTo(target);
      } catch (IOException e) {
        throw e.getCause() instanceof CoiException mapped
            ? mapped
            : new CoiException(
                "cannot pull " + path + " from instance " + instance + ": " + e.getMessage(), e);
      }
      return ImmutableFileInfo.builder().from(pulled.info()).size(copied).build();
    }
  }

  /** The type, owner, mode and size of a path, without its content. */
  public FileInfo stat(String instance, String path) {
    return find(instance, path)
        .orElseThrow(
            () ->
                notFound(
                    instance,
                    path,
                    "HEAD " + filesPath(instance, path),
                    "no such file or directory"));
  }

  /**
   * The info of a path, or empty when nothing is there; a missing instance is still a {@link
   * NotFoundException}.
   */
  public Optional<FileInfo> find(String instance, String path) {
    checkPath(path);
    if (!headSupported()) {
      try {
        return Optional.of(fetch(instance, path).info());
      } catch (NotFoundException e) {
        rest.get(Instances.path(instance));
        return Optional.empty();
      }
    }
    Optional<FileInfo> info = head(instance, path);
    if (info.isEmpty()) {
      // A HEAD answer has no body to say whether the file or the instance is missing.
      rest.get(Instances.path(instance));
    }
    return info;
  }

  /** Deletes a file, a symlink (not what it leads to) or an empty directory. */
  public void delete(String instance, String path) {
    checkPath(path);
    send("DELETE", instance, path, Map.of(), null, new byte[0], "no such file or directory");
  }

  /**
   * Makes a directory owned by {@code uid:gid} with {@code mode}; its parent must exist. When a
   * directory is already there nothing changes, its owner and mode included.
   */
  public void mkdir(String instance, String path, int uid, int gid, int mode) {
    checkPath(path);
    checkOwner(uid, gid);
    PushPolicy.checkMode(mode);
    send(
        "POST",
        instance,
        path,
        headers("directory", uid, gid, mode),
        null,
        new byte[0],
        "its parent directory is missing");
  }

  /**
   * Makes a symlink at {@code path} leading to {@code target} (absolute, or relative to the link's
   * directory). Incus makes it as root, whatever owner the request names.
   */
  public void symlink(String instance, String path, String target) {
    checkPath(path);
    if (target.isEmpty()) {
      throw new IllegalArgumentException("a symlink needs a target");
    }
    send(
        "POST",
        instance,
        path,
        headers("symlink", -1, -1, -1),
        null,
        target.getBytes(StandardCharsets.UTF_8),
        "its parent directory is missing");
  }

  /**
   * Copies a host directory (or a single file) into the instance at {@code containerDir}, making
   * its missing parents (0755, the policy's owner): directories, files and symlinks (as links,
   * never followed), with the owner and modes of {@code policy}. Other host entries (sockets,
   * fifos, devices) are skipped. Directories already in the instance keep their owner and mode;
   * files are replaced as by {@link #push}.
   *
   * <p>The host side may be a directory the container writes (a mount), so a symbolic link on any
   * component of {@code hostDir} is refused ({@link PathEscapeException}): pass its real path.
   * Inside the tree, links are pushed as links and never followed on the host.
   */
  public void pushTree(String instance, Path hostDir, String containerDir, PushPolicy policy) {
    checkPath(containerDir);
    new TreePush(this, instance, policy).push(hostDir, containerDir);
  }

  /**
   * Copies a directory or a file of the instance (a symlink followed in the instance) to {@code
   * target}, a host path that must not exist yet ({@link ConflictException} otherwise); its missing
   * parents are made. Link-proof on the host as {@link #pullTree} is.
   */
  public void pullTo(String instance, String source, Path target) {
    checkPath(source);
    new TreePull(this, instance).pullPath(source, target);
  }

  /**
   * Copies a directory of the instance into {@code hostDir} (made when missing): directories, files
   * with their permission bits, and symlinks that stay inside the tree (rewritten as relative host
   * links). Host owners are not changed.
   *
   * <p>The instance controls every name and link it hands over, so any entry that would escape
   * {@code hostDir} is refused with a {@link PathEscapeException} naming it: a name such as {@code
   * ..} or one with a {@code /}, a symlink leading out of {@code containerDir}, or a host path
   * already in the way as a symlink. The host path is opened following no link on any component,
   * and every entry is made through its directory's handle, so a link the container swaps into the
   * target while the pull runs is never followed either. Nothing is ever written outside {@code
   * hostDir}; entries pulled before a refused one stay. A symlink is judged by the path the daemon
   * resolves it to, so links under a {@code containerDir} reached through another symlink are
   * refused too.
   */
  public void pullTree(String instance, String containerDir, Path hostDir) {
    checkPath(containerDir);
    new TreePull(this, instance).pull(containerDir, hostDir);
  }

  /** A path's info and content as the daemon sent them, without copies. */
  record Fetched(FileInfo info, byte[] body, List<String> entries) {}

  Fetched fetch(String instance, String path) {
    checkPath(path);
    HttpRequest request =
        new HttpRequest("GET", filesPath(instance, path), Map.of(), new byte[0], TRANSFER_TIMEOUT);
    HttpResponse response = rest.send(request);
    if (response.status() / 100 != 2) {
      throw failure(response, instance, path, request, "no such file or directory");
    }
    if ("directory".equals(response.header("X-Incus-Type"))) {
      JsonNode names = Rest.metadata(response, request.describe());
      List<String> entries = new ArrayList<>();
      names.forEach(name -> entries.add(name.asText()));
      return new Fetched(FileInfo.fromHeaders(path, response, 0), new byte[0], entries);
    }
    byte[] body = response.body();
    boolean file = "file".equals(response.header("X-Incus-Type"));
    return new Fetched(
        FileInfo.fromHeaders(path, response, file ? body.length : 0), body, List.of());
  }

  /** The info of a path; empty when the daemon finds nothing there (or no such instance). */
  Optional<FileInfo> head(String instance, String path) {
    if (!headSupported()) {
      try {
        return Optional.of(fetch(instance, path).info());
      } catch (NotFoundException e) {
        return Optional.empty();
      }
    }
    HttpRequest request = HttpRequest.of("HEAD", filesPath(instance, path));
    HttpResponse response = rest.send(request);
    if (response.status() == 404) {
      return Optional.empty();
    }
    if (response.status() / 100 != 2) {
      throw IncusErrors.fromDaemon(
          response.status(),
          path + " in instance " + instance + ": HTTP " + response.status(),
          request.describe());
    }
    boolean file = "file".equals(response.header("X-Incus-Type"));
    String length = response.header("Content-Length");
    return Optional.of(
        FileInfo.fromHeaders(path, response, file && length != null ? Long.parseLong(length) : 0));
  }

  private boolean headSupported() {
    Boolean known = headSupported;
    if (known == null) {
      List<String> extensions = ServerInfo.of(rest.serverInfo()).apiExtensions();
      known = extensions.contains("instance_file_head");
      headSupported = known;
    }
    return known;
  }

  private void send(
      String method,
      String instance,
      String path,
      Map<String, String> headers,
      RequestBody streamed,
      byte[] content,
      String whenMissing) {
    HttpRequest request =
        new HttpRequest(method, filesPath(instance, path), headers, content, TRANSFER_TIMEOUT);
    HttpResponse response;
    try {
      response = streamed == null ? rest.send(request) : rest.send(request, streamed);
    } catch (UncheckedIOException hostSide) {
      throw new CoiException(
          "cannot push to " + path + " in instance " + instance + ": " + hostSide.getMessage(),
          hostSide);
    }
    if (response.status() / 100 != 2) {
      throw failure(response, instance, path, request, whenMissing);
    }
    Rest.metadata(response, request.describe());
  }

  private static Map<String, String> headers(String type, int uid, int gid, int mode) {
    Map<String, String> headers = new LinkedHashMap<>();
    // Without it a client may send a form type, and the daemon then parses the body as a form:
    // the file is written empty (seen with curl's default).
    headers.put("Content-Type", "application/octet-stream");
    headers.put("X-Incus-type", type);
    if (uid >= 0) {
      headers.put("X-Incus-uid", Integer.toString(uid));
    }
    if (gid >= 0) {
      headers.put("X-Incus-gid", Integer.toString(gid));
    }
    if (mode >= 0) {
      headers.put("X-Incus-mode", String.format("%04o", mode));
    }
    return headers;
  }

  /**
   * The daemon's error, with the instance and path named: its own 404 says only "Not Found" for a
   * missing file, and names the instance when that is what is missing.
   */
  static CoiException failure(
      HttpResponse response,
      String instance,
      String path,
      HttpRequest request,
      String whenMissing) {
    int status = response.status();
    String message = "";
    try {
      JsonNode envelope = Rest.JSON.readTree(response.body());
      if (envelope != null) {
        status = envelope.path("error_code").asInt(status);
        message = envelope.path("error").asText("");
      }
    } catch (IOException notJson) {
      // Then the status alone has to do.
    }
    if (status == 404) {
      String why = message.isEmpty() || message.equals("Not Found") ? whenMissing : message;
      return notFound(instance, path, request.describe(), why);
    }
    return IncusErrors.fromDaemon(
        status,
        path
            + " in instance "
            + instance
            + ": "
            + (message.isEmpty() ? "HTTP " + response.status() : message),
        request.describe());
  }

  private static NotFoundException notFound(
      String instance, String path, String request, String why) {
    return new NotFoundException(
        "Incus: " + path + " in instance " + instance + ": " + why + " (" + request + ")");
  }

  static void checkPath(String path) {
    if (path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException("a path in an instance must be absolute, not " + path);
    }
  }

  static void checkOwner(int uid, int gid) {
    if (uid < 0 || gid < 0) {
      throw new IllegalArgumentException(
          "an owner is a uid and gid of 0 or more, not " + uid + ":" + gid);
    }
  }

  static String filesPath(String instance, String path) {
    return Instances.path(instance) + "/files?path=" + Rest.encode(path);
  }
}
