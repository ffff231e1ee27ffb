package dev.coi.incus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.coi.api.BackendException;
import dev.coi.api.CoiException;
import dev.coi.incus.transport.HttpRequest;
import dev.coi.incus.transport.HttpResponse;
import dev.coi.incus.transport.HttpTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Waiting for operations in slices, over a scripted daemon. */
class OperationWaitTest {
  private static final String OP = "/1.0/operations/op1";
  private static final String TIMED_OUT =
      "{\"type\":\"error\",\"error_code\":500,\"error\":\"context deadline exceeded\"}";

  /** Answers each wait with the next scripted body and records every request. */
  static final class ScriptedDaemon implements HttpTransport {
    final List<String> requests = new CopyOnWriteArrayList<>();
    final AtomicInteger waits = new AtomicInteger();
    final List<String> waitAnswers;
    final String operationState;
    Runnable onWait = () -> {};

    ScriptedDaemon(List<String> waitAnswers, String operationState) {
      this.waitAnswers = waitAnswers;
      this.operationState = operationState;
    }

    @Override
    public HttpResponse send(HttpRequest request) {
      requests.add(request.describe());
      String body;
      if (request.path().startsWith(OP + "/wait")) {
        onWait.run();
        int i = waits.getAndIncrement();
        body = waitAnswers.get(Math.min(i, waitAnswers.size() - 1));
      } else if (request.method().equals("GET")) {
        body = "{\"type\":\"sync\",\"status_code\":200,\"metadata\":" + operationState + "}";
      } else {
        body = "{\"type\":\"sync\",\"status_code\":200,\"metadata\":{}}";
      }
      return new HttpResponse(200, Map.of(), body.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String endpoint() {
      return "scripted daemon";
    }

    @Override
    public void close() {}
  }

  private static String op(String status, int code) {
    return "{\"id\":\"op1\",\"status\":\""
        + status
        + "\",\"status_code\":"
        + code
        + ",\"may_cancel\":true,\"err\":\"\",\"metadata\":{}}";
  }

  private static String sync(String op) {
    return "{\"type\":\"sync\",\"status_code\":200,\"metadata\":" + op + "}";
  }

  @Test
  void aLongOperationIsAwaitedSliceBySliceUntilItEnds() {
    ScriptedDaemon daemon =
        new ScriptedDaemon(
            List.of(TIMED_OUT, TIMED_OUT, sync(op("Success", 200))), op("Running", 103));
    JsonNode done = new Rest(daemon).waitFor(OP, Duration.ofMinutes(1), "POST /1.0/x", false);

    assertEquals("Success", done.path("status").asText());
    assertEquals(3, daemon.waits.get());
  }

  @Test
  void anInterruptedCallerCancelsTheOperationAndIsTold() {
    ScriptedDaemon daemon = new ScriptedDaemon(List.of(TIMED_OUT), op("Running", 103));
    daemon.onWait = () -> Thread.currentThread().interrupt();
    try {
      CoiException e =
          assertThrows(
              CoiException.class,
              () -> new Rest(daemon).waitFor(OP, Duration.ofMinutes(1), "POST /1.0/images", false));
      assertTrue(
          e.getMessage().contains("interrupted while waiting for POST /1.0/images"),
          e.getMessage());
      assertTrue(daemon.requests.contains("DELETE " + OP), daemon.requests.toString());
      assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void anOperationStillRunningAtTheDeadlineIsA504() {
    ScriptedDaemon daemon = new ScriptedDaemon(List.of(TIMED_OUT), op("Running", 103));
    BackendException e =
        assertThrows(
            BackendException.class,
            () -> new Rest(daemon).waitFor(OP, Duration.ZERO, "POST /1.0/x", false));
    assertEquals(504, e.status());
  }

  @Test
  void aFailedOperationKeepsTheDaemonsError() {
    String failed = "{\"type\":\"error\",\"error_code\":400,\"error\":\"Invalid config\"}";
    ScriptedDaemon daemon = new ScriptedDaemon(List.of(failed), op("Failure", 400));
    BackendException e =
        assertThrows(
            BackendException.class,
            () ->
                new Rest(daemon).waitFor(OP, Duration.ofMinutes(1), "POST /1.0/instances", false));
    assertEquals(400, e.status());
    assertTrue(e.getMessage().contains("Invalid config"), e.getMessage());
  }
}
