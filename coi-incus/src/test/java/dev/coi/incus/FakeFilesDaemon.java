package dev.coi.incus;

import dev.coi.incus.transport.HttpRequest;
import dev.coi.incus.transport.HttpResponse;
import dev.coi.incus.transport.HttpTransport;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Answers the file API of one instance from a map, as a daemon would, including as a hostile one:
 * it lists whatever names it is given, which no real file system would hold.
 */
final class FakeFilesDaemon implements HttpTransport {
  static final String INSTANCE = "fake";

  private final Map<String, Entry> entries = new HashMap<>();

  private record Entry(String type, String body, List<String> names) {}

  FakeFilesDaemon dir(String path, String... names) {
    entries.put(path, new Entry("directory", "", List.of(names)));
    return this;
  }

  FakeFilesDaemon file(String path, String content) {
    entries.put(path, new Entry("file", content, List.of()));
    return this;
  }

  /** A symlink; the daemon answers with the absolute path it resolves to. */
  FakeFilesDaemon link(String path, String resolvedTarget) {
    entries.put(path, new Entry("symlink", resolvedTarget, List.of()));
    return this;
  }

  @Override
  public HttpResponse send(HttpRequest request) {
    String prefix = "/1.0/instances/" + INSTANCE + "/files?path=";
    if (request.path().equals("/1.0")) {
      return sync("{\"api_extensions\":[\"instance_file_head\"],\"environment\":{}}");
    }
    if (request.path().equals("/1.0/instances/" + INSTANCE)) {
      return sync("{\"name\":\"" + INSTANCE + "\"}");
    }
    if (!request.path().startsWith(prefix)) {
      return error(404, "Not Found");
    }
    String path =
        URLDecoder.decode(request.path().substring(prefix.length()), StandardCharsets.UTF_8);
    Entry entry = entries.get(path);
    if (entry == null) {
      return error(404, "Not Found");
    }
    Map<String, String> headers = new HashMap<>();
    headers.put("x-incus-type", entry.type());
    headers.put("x-incus-uid", "1000");
    headers.put("x-incus-gid", "1000");
    headers.put("x-incus-mode", entry.type().equals("directory") ? "0755" : "0644");
    if (entry.type().equals("directory")) {
      StringBuilder json = new StringBuilder("[");
      for (String name : entry.names()) {
        json.append(json.length() > 1 ? "," : "").append(Rest.JSON.getNodeFactory().textNode(name));
      }
      return new HttpResponse(200, headers, envelope(json.append(']').toString()));
    }
    return new HttpResponse(200, headers, entry.body().getBytes(StandardCharsets.UTF_8));
  }

  private static HttpResponse sync(String metadata) {
    return new HttpResponse(200, Map.of(), envelope(metadata));
  }

  private static byte[] envelope(String metadata) {
    return ("{\"type\":\"sync\",\"status_code\":200,\"metadata\":" + metadata + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static HttpResponse error(int code, String message) {
    return new HttpResponse(
        code,
        Map.of(),
        ("{\"type\":\"error\",\"error_code\":" + code + ",\"error\":\"" + message + "\"}")
            .getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String endpoint() {
    return "fake daemon";
  }

  @Override
  public void close() {}
}
