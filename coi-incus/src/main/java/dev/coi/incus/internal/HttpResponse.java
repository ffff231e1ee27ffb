package dev.coi.incus.internal;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** One HTTP response; header names are lower-case. */
record HttpResponse(int status, Map<String, String> headers, byte[] body) {

  String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  String header(String name) {
    return headers.get(name.toLowerCase(java.util.Locale.ROOT));
  }
}
