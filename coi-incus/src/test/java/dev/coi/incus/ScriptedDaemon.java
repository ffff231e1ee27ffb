package dev.coi.incus;

import dev.coi.incus.transport.HttpResponse;
import dev.coi.incus.transport.HttpTransport;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** A daemon a test scripts: JSON answers, a name in messages, nothing to close. */
abstract class ScriptedDaemon implements HttpTransport {
  private final String name;

  ScriptedDaemon(String name) {
    this.name = name;
  }

  static HttpResponse json(int status, String body) {
    return new HttpResponse(status, Map.of(), body.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String endpoint() {
    return name;
  }

  @Override
  public void close() {}
}
