package dev.coi.incus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.coi.incus.transport.RequestBody;
import dev.coi.incus.transport.TestBodies;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a {@link ProgressListener} hears of uploads and of the daemon's operations. */
class ProgressTest {

  @Test
  void anUploadIsReportedFromZeroToItsLengthInMebibyteSteps() throws IOException {
    int size = 2 * 1024 * 1024 + 10;
    RequestBody body = TestBodies.zeros(size);
    List<String> heard = new ArrayList<>();
    ByteArrayOutputStream sink = new ByteArrayOutputStream();

    new ProgressBody(body, (done, total, stage) -> heard.add(stage + " " + done + "/" + total))
        .writeTo(sink);

    assertEquals(size, sink.size());
    assertEquals(
        List.of(
            "upload 0/" + size,
            "upload 1048576/" + size,
            "upload 2097152/" + size,
            "upload " + size + "/" + size),
        heard);
  }

  @Test
  void operationProgressIsRelayedAsPercentOrBytes() throws IOException {
    StringBuilder heard = new StringBuilder();
    ProgressListener listener =
        (done, total, stage) ->
            heard.append(stage).append(' ').append(done).append('/').append(total).append(';');

    OperationProgress.relay(
        Rest.JSON.readTree("{\"stage\":\"create_image_from_container_pack\",\"percent\":\"78\"}"),
        listener);
    OperationProgress.relay(
        Rest.JSON.readTree("{\"stage\":\"unpack\",\"processed\":\"4096\",\"speed\":\"0\"}"),
        listener);
    OperationProgress.relay(Rest.JSON.readTree("{\"stage\":\"idle\",\"speed\":\"0\"}"), listener);

    assertEquals("create_image_from_container_pack 78/100;unpack 4096/-1;", heard.toString());
  }

  /**
   * The poll loop relays each new progress report of a running operation once, whatever the
   * daemon's speed: here a scripted operation runs for three reads.
   */
  @Test
  void aRunningOperationsProgressIsRelayedOnceEachUntilItEnds() {
    String[] states = {
      "\"status\":\"Running\",\"status_code\":103,\"metadata\":{\"progress\":{\"stage\":\"pack\",\"percent\":\"10\"}}",
      "\"status\":\"Running\",\"status_code\":103,\"metadata\":{\"progress\":{\"stage\":\"pack\",\"percent\":\"10\"}}",
      "\"status\":\"Running\",\"status_code\":103,\"metadata\":{\"progress\":{\"stage\":\"pack\",\"percent\":\"60\"}}",
      "\"status\":\"Success\",\"status_code\":200,\"metadata\":{}"
    };
    java.util.concurrent.atomic.AtomicInteger reads =
        new java.util.concurrent.atomic.AtomicInteger();
    dev.coi.incus.transport.HttpTransport daemon =
        new dev.coi.incus.transport.HttpTransport() {
          @Override
          public dev.coi.incus.transport.HttpResponse send(
              dev.coi.incus.transport.HttpRequest request) {
            String state =
                request.path().contains("/wait")
                    ? states[Math.min(reads.get(), states.length - 1)]
                    : states[Math.min(reads.getAndIncrement(), states.length - 1)];
            return new dev.coi.incus.transport.HttpResponse(
                200,
                java.util.Map.of(),
                ("{\"type\":\"sync\",\"status_code\":200,\"metadata\":{\"id\":\"op\","
                        + state
                        + "}}")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
          }

          @Override
          public String endpoint() {
            return "scripted";
          }

          @Override
          public void close() {}
        };
    StringBuilder heard = new StringBuilder();
    OperationProgress.await(
        new Rest(daemon),
        "/1.0/operations/op",
        java.time.Duration.ofMinutes(1),
        "POST /1.0/images",
        (done, total, stage) -> heard.append(stage).append(' ').append(done).append(';'));

    assertEquals("pack 10;pack 60;", heard.toString());
  }
}
