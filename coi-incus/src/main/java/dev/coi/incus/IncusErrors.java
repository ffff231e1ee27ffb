package dev.coi.incus;

import dev.coi.api.BackendException;
import dev.coi.api.CoiException;
import dev.coi.api.ConflictException;
import dev.coi.api.NotFoundException;
import dev.coi.incus.internal.transport.HttpTransport;
import dev.coi.incus.internal.transport.UnixSocketTransport;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The one place where the daemon's errors and transport failures become coi's exceptions. */
final class IncusErrors {
  private IncusErrors() {}

  /** An error the daemon reported, by HTTP status or an operation's status code. */
  static CoiException fromDaemon(int status, String daemonMessage, String request) {
    String message = "Incus: " + daemonMessage + " (" + request + ", status " + status + ")";
    String lower = daemonMessage.toLowerCase(Locale.ROOT);
    if (status == 404 || lower.contains("not found")) {
      return new NotFoundException(message);
    }
    // A name taken between the daemon's own check and its insert comes back as a database error.
    if (status == 412) {
      return new ConflictException(
          "Incus: the instance changed since it was read (" + request + "): read it again");
    }
    if (status == 409
        || lower.contains("already exists")
        || lower.contains("unique constraint failed")) {
      return new ConflictException(message);
    }
    return new BackendException(status, message);
  }

  /** A failure to talk to the daemon at all. */
  static CoiException fromTransport(IOException e, HttpTransport transport, String request) {
    if (transport instanceof UnixSocketTransport unix) {
      Path socket = unix.socketPath();
      if (!Files.exists(socket)) {
        return new IncusUnavailableException(
            "Incus daemon not reachable: no socket at "
                + socket
                + "; start the daemon (bash images/setup-host.sh installs and starts it) or set"
                + " INCUS_SOCKET to its socket",
            e);
      }
      if (!Files.isReadable(socket) || !Files.isWritable(socket) || isPermissionDenied(e)) {
        return new IncusUnavailableException(
            "Incus daemon socket "
                + socket
                + " is not accessible to this user: run as root or join the incus-admin group"
                + " (then log in again)",
            e);
      }
      if (e instanceof ConnectException || isConnectionRefused(e)) {
        return new IncusUnavailableException(
            "Incus daemon not running: nothing listens on "
                + socket
                + "; start it (bash images/setup-host.sh starts it)",
            e);
      }
    }
    if (e instanceof SocketTimeoutException) {
      return new BackendException(
          504, "Incus did not answer " + request + " in time on " + transport.endpoint(), e);
    }
    return new IncusUnavailableException(
        "lost the connection to Incus on " + transport.endpoint() + " during " + request + ": " + e,
        e);
  }

  private static boolean isPermissionDenied(IOException e) {
    String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    return m.contains("permission denied") || m.contains("access denied");
  }

  private static boolean isConnectionRefused(IOException e) {
    String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    return e instanceof FileNotFoundException
        || (e instanceof SocketException && m.contains("refused"));
  }
}
