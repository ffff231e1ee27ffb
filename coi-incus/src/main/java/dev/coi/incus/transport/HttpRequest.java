package dev.coi.incus.transport;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * One HTTP request to the daemon. {@code timeout} bounds the wait for the response, so that a long
 * operation wait gets a longer read timeout than a plain GET.
 */
public record HttpRequest(
    String method, String path, Map<String, String> headers, byte[] body, Duration timeout) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  public static HttpRequest of(String method, String path) {
    return new HttpRequest(method, path, Map.of(), new byte[0], DEFAULT_TIMEOUT);
  }

  public static HttpRequest json(String method, String path, String json) {
    return new HttpRequest(
        method,
        path,
        Map.of("Content-Type", "application/json"),
        json.getBytes(StandardCharsets.UTF_8),
        DEFAULT_TIMEOUT);
  }

  public HttpRequest withTimeout(Duration newTimeout) {
    return new HttpRequest(method, path, headers, body, newTimeout);
  }

  /** "GET /1.0/instances", for error messages. */
  public String describe() {
    return method + " " + path;
  }
}
