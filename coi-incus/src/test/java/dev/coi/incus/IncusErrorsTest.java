package dev.coi.incus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.BackendException;
import dev.coi.api.CoiException;
import dev.coi.api.ConflictException;
import dev.coi.api.NotFoundException;
import dev.coi.incus.transport.UnixSocketTransport;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IncusErrorsTest {

  @Test
  void daemonStatusesMapToTheirExceptionsKeepingMessageAndRequest() {
    CoiException notFound =
        IncusErrors.fromDaemon(404, "Instance not found", "GET /1.0/instances/x");
    assertInstanceOf(NotFoundException.class, notFound);
    assertTrue(notFound.getMessage().contains("Instance not found"));
    assertTrue(notFound.getMessage().contains("GET /1.0/instances/x"));

    assertInstanceOf(ConflictException.class, IncusErrors.fromDaemon(409, "exists", "POST /x"));
    assertInstanceOf(
        ConflictException.class,
        IncusErrors.fromDaemon(400, "Instance \"a\" already exists", "POST /x"));

    assertInstanceOf(
        ConflictException.class,
        IncusErrors.fromDaemon(
            500, "Failed to create \"instances\" entry: UNIQUE constraint failed", "POST /x"));

    CoiException bad = IncusErrors.fromDaemon(400, "Instance is running", "DELETE /x");
    assertEquals(400, ((BackendException) bad).status());
  }

  @Test
  void aDaemonShuttingDownIsUnavailableSoThatCallersMayTryAgain() {
    CoiException e =
        IncusErrors.fromDaemon(503, "Shutting down", "DELETE /1.0/instances/coi-test-x-1");

    assertInstanceOf(IncusUnavailableException.class, e);
    assertTrue(e.getMessage().contains("Shutting down"), e.getMessage());
    assertTrue(e.getMessage().contains("DELETE /1.0/instances/coi-test-x-1"), e.getMessage());
  }

  @Test
  void aMissingSocketSaysWhichAndHowToStartTheDaemon() {
    UnixSocketTransport transport = new UnixSocketTransport(Path.of("/nonexistent/unix.socket"));
    CoiException e = IncusErrors.fromTransport(new IOException("x"), transport, "GET /1.0");

    assertInstanceOf(IncusUnavailableException.class, e);
    assertTrue(e.getMessage().contains("/nonexistent/unix.socket"), e.getMessage());
    assertTrue(e.getMessage().contains("start the daemon"), e.getMessage());
  }

  @Test
  void aSocketNobodyListensOnSaysTheDaemonIsNotRunning(@TempDir Path dir) throws IOException {
    Path stale = Files.createFile(dir.resolve("unix.socket"));
    UnixSocketTransport transport = new UnixSocketTransport(stale);
    CoiException e =
        IncusErrors.fromTransport(new java.net.ConnectException("refused"), transport, "GET /1.0");

    assertTrue(e.getMessage().contains("not running"), e.getMessage());
  }

  @Test
  void aTimeoutNamesTheRequest() {
    UnixSocketTransport transport = new UnixSocketTransport(Path.of("/"));
    CoiException e =
        IncusErrors.fromTransport(new SocketTimeoutException("t"), transport, "GET /1.0/x");
    assertTrue(e.getMessage().contains("GET /1.0/x"), e.getMessage());
  }
}
