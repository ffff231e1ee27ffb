package dev.coi.incus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coi.api.CoiException;
import dev.coi.api.NotFoundException;
import dev.coi.incus.transport.HttpRequest;
import dev.coi.incus.transport.HttpResponse;
import dev.coi.incus.transport.RequestBody;
import dev.coi.incus.transport.StreamedResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Images in the daemon's store, and their aliases: look up, import from tarballs, publish from an
 * instance or a snapshot, export, delete. Long transfers report to a {@link ProgressListener}.
 *
 * <pre>{@code
 * Images images = client.images();
 * ImageFiles files = images.export("coi-sandbox", Path.of("/tmp/export"));
 * String fp = images.publish("demo/clean", Optional.of("demo-clean"), Map.of(), ProgressListener.NONE);
 * images.renameAlias("demo-clean", "demo-base");
 * images.deleteAlias("demo-base");
 * images.delete(fp);
 * }</pre>
 */
public final class Images {
  private final Rest rest;

  Images(Rest rest) {
    this.rest = rest;
  }

  /** The image an alias or fingerprint names. */
  public Image get(String aliasOrFingerprint) {
    String fingerprint = aliasOrFingerprint;
    try {
      fingerprint =
          rest.get("/1.0/images/aliases/" + Rest.encode(aliasOrFingerprint))
              .path("target")
              .asText();
    } catch (NotFoundException notAnAlias) {
      // Then it may be a fingerprint, or its prefix.
    }
    return Image.of(rest.get("/1.0/images/" + Rest.encode(fingerprint)));
  }

  public Optional<Image> find(String aliasOrFingerprint) {
    return Rest.ifFound(() -> get(aliasOrFingerprint));
  }

  public List<Image> list() {
    return rest.list("/1.0/images", Image::of);
  }

  /**
   * Names an image; an alias of that name already there is a {@link dev.coi.api.ConflictException}.
   */
  public void createAlias(String name, String fingerprint, String description) {
    ObjectNode body =
        Rest.object().put("name", name).put("target", fingerprint).put("description", description);
    rest.sync("POST", "/1.0/images/aliases", body);
  }

  /**
   * Points an alias at an image in one request ({@code PUT}), or creates it when there is none: a
   * client reading the alias meanwhile finds the old image or the new one, never none.
   */
  public void pointAlias(String name, String fingerprint) {
    try {
      rest.sync(
          "PUT", aliasPath(name), Rest.object().put("target", fingerprint).put("description", ""));
    } catch (NotFoundException noAliasYet) {
      createAlias(name, fingerprint, "");
    }
  }

  /** Moves an alias to a new name; the image stays the same. */
  public void renameAlias(String name, String newName) {
    rest.sync("POST", aliasPath(name), Rest.object().put("name", newName));
  }

  /** Removes an alias; the image stays. */
  public void deleteAlias(String name) {
    rest.sync("DELETE", aliasPath(name), null);
  }

  /**
   * Imports a unified image tarball (metadata and rootfs in one), streaming it from disk, and
   * returns its fingerprint. The listener hears the upload in bytes, then the daemon's stages. An
   * image already in the store is a {@link dev.coi.api.ConflictException}.
   */
  public String importUnified(Path tarball, Optional<String> alias, ProgressListener listener) {
    return upload(
        hostFile(tarball), "application/octet-stream", alias, listener, tarball.toString());
  }

  /**
   * Imports a split image, its metadata and rootfs tarballs sent as one {@code multipart/form-data}
   * upload with the parts {@code metadata} and {@code rootfs}, as the Incus client does. Otherwise
   * as {@link #importUnified}.
   */
  public String importSplit(
      Path metadataTarball, Path rootfsTarball, Optional<String> alias, ProgressListener listener) {
    MultipartBody multipart =
        MultipartBody.of(
            List.of(
                new MultipartBody.Part(
                    "metadata", fileName(metadataTarball), hostFile(metadataTarball)),
                new MultipartBody.Part(
                    "rootfs", fileName(rootfsTarball), hostFile(rootfsTarball))));
    return upload(
        multipart,
        multipart.contentType(),
        alias,
        listener,
        metadataTarball + " + " + rootfsTarball);
  }

  private String upload(
      RequestBody body,
      String contentType,
      Optional<String> alias,
      ProgressListener listener,
      String what) {
    HttpRequest request =
        new HttpRequest(
            "POST",
            "/1.0/images",
            Map.of("Content-Type", contentType),
            new byte[0],
            InstanceFiles.TRANSFER_TIMEOUT);
    HttpResponse response;
    try {
      response = rest.send(request, new ProgressBody(body, listener));
    } catch (UncheckedIOException hostSide) {
      throw new CoiException("cannot import " + what + ": " + hostSide.getMessage(), hostSide);
    }
    String fingerprint =
        awaitImage(Rest.metadata(response, request.describe()), "import of " + what, listener);
    alias.ifPresent(name -> aliasNewImage(name, fingerprint));
    return fingerprint;
  }

  /**
   * An alias added after the import (any daemon can) rather than with it: should it fail, the image
   * is removed again. It is surely ours, since importing an image already there fails.
   */
  private void aliasNewImage(String alias, String fingerprint) {
    try {
      createAlias(alias, fingerprint, "");
    } catch (CoiException aliasFailed) {
      try {
        delete(fingerprint);
      } catch (CoiException cleanupFailed) {
        aliasFailed.addSuppressed(cleanupFailed);
      }
      throw aliasFailed;
    }
  }

  /**
   * Makes an image of a stopped instance ({@code "demo"}) or of a snapshot ({@code "demo/clean"})
   * and returns its fingerprint. The listener hears the daemon's packing progress, polled once a
   * second (so a quick publish may report nothing).
   */
  public String publish(
      String source,
      Optional<String> alias,
      Map<String, String> properties,
      ProgressListener listener) {
    ObjectNode body = Rest.object();
    body.putObject("source")
        .put("type", source.contains("/") ? "snapshot" : "instance")
        .put("name", source);
    alias.ifPresent(name -> body.putArray("aliases").addObject().put("name", name));
    body.set("properties", Json.stringObject(properties));
    HttpRequest request = HttpRequest.json("POST", "/1.0/images", Rest.write(body));
    JsonNode operation = Rest.metadata(rest.send(request), request.describe());
    return awaitImage(operation, "publish of " + source, listener);
  }

  private String awaitImage(JsonNode operation, String request, ProgressListener listener) {
    String operationPath = Operations.path(operation.path("id").asText());
    JsonNode done =
        OperationProgress.await(rest, operationPath, Instances.TIMEOUT, request, listener);
    return done.path("metadata").path("fingerprint").asText();
  }

  /**
   * Writes an image's files into {@code targetDir} (made when missing): a split image's two
   * tarballs, or a unified one, under the names the daemon gives them. Their checksum is checked
   * against the fingerprint before they take those names: a unified image streams to disk through a
   * small buffer (into a {@code .coi-partial} file, renamed once checked); a split one passes
   * through memory whole. The export must finish within {@link FileStream#TIMEOUT}.
   */
  public ImageFiles export(String aliasOrFingerprint, Path targetDir) {
    String fingerprint = get(aliasOrFingerprint).fingerprint();
    HttpRequest request =
        HttpRequest.of("GET", "/1.0/images/" + Rest.encode(fingerprint) + "/export")
            .withTimeout(FileStream.TIMEOUT);
    try (StreamedResponse response = rest.open(request)) {
      if (response.status() / 100 != 2) {
        Rest.metadata(rest.buffer(response, SMALL_ANSWER, request), request.describe());
      }
      Optional<String> boundary = MultipartParts.boundary(response.header("Content-Type"));
      if (boundary.isEmpty()) {
        String disposition = response.header("Content-Disposition");
        String name =
            disposition == null
                ? fingerprint + ".tar"
                : MultipartParts.parameters(disposition)
                    .getOrDefault("filename", fingerprint + ".tar");
        Path file =
            streamChecked(
                targetDir,
                safeName(name, fingerprint + ".tar"),
                response.body(),
                fingerprint,
                request);
        return ImmutableImageFiles.builder().metadata(file).build();
      }
      return exportSplit(
          fingerprint,
          targetDir,
          rest.buffer(response, Integer.MAX_VALUE - 8, request).body(),
          boundary.get());
    } catch (IOException closing) {
      throw IncusErrors.fromTransport(closing, rest.transport(), request.describe());
    }
  }

  /** Copies a unified image to {@code dir/name}, checking its fingerprint on the way. */
  private Path streamChecked(
      Path dir, String name, InputStream in, String fingerprint, HttpRequest request) {
    Path file = dir.resolve(name);
    Path partial = dir.resolve(name + ".coi-partial");
    MessageDigest sha256 = sha256();
    try {
      java.nio.file.Files.createDirectories(dir);
      try (OutputStream out = create(partial)) {
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = read(in, buffer, request)) > 0; ) {
          sha256.update(buffer, 0, n);
          out.write(buffer, 0, n);
        }
      }
      checkFingerprint(fingerprint, HexFormat.of().formatHex(sha256.digest()));
      java.nio.file.Files.move(
          partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return file;
    } catch (IOException e) {
      throw new CoiException("cannot write the exported image to " + file + ": " + e, e);
    } finally {
      try {
        java.nio.file.Files.deleteIfExists(partial);
      } catch (IOException ignored) {
        // Only a leftover part file; the error that matters is already on its way.
      }
    }
  }

  /** A read from the daemon, its failure mapped (a write's failure is the host's). */
  private int read(InputStream in, byte[] buffer, HttpRequest request) {
    try {
      return in.read(buffer);
    } catch (IOException e) {
      throw IncusErrors.fromTransport(e, rest.transport(), request.describe());
    }
  }

  private static ImageFiles exportSplit(
      String fingerprint, Path targetDir, byte[] body, String boundary) {
    Slice metadata = null;
    Slice rootfs = null;
    String metadataName = "meta-" + fingerprint + ".tar";
    String rootfsName = fingerprint + ".rootfs";
    for (MultipartParts.Part part : MultipartParts.parse(body, boundary)) {
      Slice slice = new Slice(body, part.offset(), part.length());
      if (part.name().equals("metadata")) {
        metadata = slice;
        metadataName = safeName(part.filename(), metadataName);
      } else if (part.name().startsWith("rootfs")) {
        rootfs = slice;
        rootfsName = safeName(part.filename(), rootfsName);
      }
    }
    if (metadata == null || rootfs == null) {
      throw new CoiException(
          "Incus sent a split export of " + fingerprint + " without both metadata and rootfs");
    }
    checkFingerprint(fingerprint, List.of(metadata, rootfs));
    return ImmutableImageFiles.builder()
        .metadata(write(targetDir, metadataName, metadata))
        .rootfs(write(targetDir, rootfsName, rootfs))
        .build();
  }

  /** Removes an image from the store, with its aliases. */
  public void delete(String fingerprint) {
    rest.runOperation("DELETE", "/1.0/images/" + Rest.encode(fingerprint), null, Instances.TIMEOUT);
  }

  private record Slice(byte[] bytes, int offset, int length) {}

  /** An error envelope is small; more is not the daemon. */
  private static final long SMALL_ANSWER = 16L * 1024 * 1024;

  /** A fingerprint is the SHA-256 of the image's files, metadata first. */
  private static void checkFingerprint(String fingerprint, List<Slice> slices) {
    MessageDigest sha256 = sha256();
    slices.forEach(s -> sha256.update(s.bytes(), s.offset(), s.length()));
    checkFingerprint(fingerprint, HexFormat.of().formatHex(sha256.digest()));
  }

  private static void checkFingerprint(String fingerprint, String actual) {
    if (!actual.startsWith(fingerprint)) {
      throw new CoiException(
          "the export of image "
              + fingerprint
              + " does not match its fingerprint (got "
              + actual
              + ")");
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** The daemon's file name when it is a plain name, else ours: it must not point elsewhere. */
  private static String safeName(String offered, String fallback) {
    return offered == null || TreePaths.unsafeName(offered).isPresent() ? fallback : offered;
  }

  private static Path write(Path dir, String name, Slice slice) {
    Path file = dir.resolve(name);
    try {
      java.nio.file.Files.createDirectories(dir);
      try (OutputStream out = create(file)) {
        out.write(slice.bytes(), slice.offset(), slice.length());
      }
    } catch (IOException e) {
      throw new CoiException("cannot write the exported image to " + file + ": " + e, e);
    }
    return file;
  }

  /** A file to write, replaced if there, never through a link in its place. */
  private static OutputStream create(Path file) throws IOException {
    return java.nio.file.Files.newOutputStream(
        file,
        StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE,
        LinkOption.NOFOLLOW_LINKS);
  }

  private static RequestBody hostFile(Path file) {
    return HostFileBody.trusted(file);
  }

  private static String fileName(Path file) {
    Path name = file.getFileName();
    return name == null ? "image.tar" : name.toString();
  }

  private static String aliasPath(String name) {
    return "/1.0/images/aliases/" + Rest.encode(name);
  }
}
