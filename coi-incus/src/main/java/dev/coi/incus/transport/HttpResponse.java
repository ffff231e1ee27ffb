package dev.coi.incus.transport;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** One HTTP response; header names are lower-case. */
public record HttpResponse(int status, Map<String, String> headers, byte[] body) {

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  public String header(String name) {
    return headers.get(name.toLowerCase(java.util.Locale.ROOT));
  }
}
