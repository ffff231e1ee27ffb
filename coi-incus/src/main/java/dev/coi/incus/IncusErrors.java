package dev.coi.incus;

import dev.coi.api.BackendException;
import dev.coi.api.CoiException;
import dev.coi.api.ConflictException;
import dev.coi.api.InvalidSpecException;
import dev.coi.api.NotFoundException;
import dev.coi.incus.transport.DeadlineExceededException;
import dev.coi.incus.transport.HttpTransport;
import dev.coi.incus.transport.HttpsTransport;
import dev.coi.incus.transport.ResponseTooLargeException;
import dev.coi.incus.transport.ServerCertificateMismatchException;
import dev.coi.incus.transport.UnixSocketTransport;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/** The one place where the daemon's errors and transport failures become coi's exceptions. */
final class IncusErrors {
  /** TLS alerts by which a server refuses a client's certificate. */
  private static final Pattern CLIENT_CERTIFICATE_REFUSED =
      Pattern.compile(
          "received fatal alert: (bad_certificate|certificate_required|unknown_ca|access_denied"
              + "|certificate_unknown|certificate_revoked|certificate_expired"
              + "|unsupported_certificate)");

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
          "Incus: the object changed since it was read (" + request + "): read it again");
    }
    // Network ACL validation: "Invalid egress rule 0: …", "Duplicate of egress rule 0".
    if (lower.matches(
        "(invalid (egress|ingress) rule \\d+|duplicate of (egress|ingress) rule \\d+).*")) {
      return new InvalidSpecException(
          "Incus refused the network ACL ("
              + request
              + "): "
              + daemonMessage
              + " (rules are numbered from 0): give subjects as addresses or CIDR blocks, a state,"
              + " and no rule twice");
    }
    if (status == 409
        || lower.contains("already exists")
        || lower.contains("unique constraint failed")) {
      return new ConflictException(message);
    }
    if (status == 503) {
      // "Shutting down", or starting: the daemon is there but cannot serve yet; try again later.
      return new IncusUnavailableException(message, null);
    }
    return new BackendException(status, message);
  }

  /** A failure to talk to the daemon at all, or an answer refused by the transport's limits. */
  static CoiException fromTransport(IOException e, HttpTransport transport, String request) {
    if (e instanceof ResponseTooLargeException) {
      return new BackendException(
          502,
          "Incus sent "
              + e.getMessage()
              + " to "
              + request
              + " on "
              + transport.endpoint()
              + ": refused (coi bounds what it reads from the daemon; large files are pulled as"
              + " streams)",
          e);
    }
    if (e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException)) {
      return new CoiException("interrupted while waiting for Incus to answer " + request, e);
    }
    if (e instanceof DeadlineExceededException late) {
      return new BackendException(
          504,
          "Incus did not answer "
              + request
              + " on "
              + transport.endpoint()
              + " within the request's deadline of "
              + DeadlineExceededException.seconds(late.timeout())
              + ": the daemon is stuck or overloaded",
          e);
    }
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
    if (transport instanceof HttpsTransport https) {
      CoiException remote = fromHttps(e, https);
      if (remote != null) {
        return remote;
      }
    }
    if (e instanceof SocketTimeoutException || e instanceof HttpTimeoutException) {
      return new BackendException(
          504, "Incus did not answer " + request + " in time on " + transport.endpoint(), e);
    }
    return new IncusUnavailableException(
        "lost the connection to Incus on " + transport.endpoint() + " during " + request + ": " + e,
        e);
  }

  /** The daemon answered over HTTPS but does not trust our client certificate. */
  static IncusUnavailableException clientNotTrusted(HttpsTransport https) {
    return new IncusUnavailableException(
        "Incus at "
            + https.endpoint()
            + " rejected our client certificate: add it with `incus config trust"
            + " add-certificate "
            + https.clientCertificate()
            + "` on that host",
        null);
  }

  /** A failure of a remote connection, or null when it is none of the known kinds. */
  private static CoiException fromHttps(IOException e, HttpsTransport https) {
    String at = "Incus at " + https.endpoint();
    ServerCertificateMismatchException mismatch =
        cause(e, ServerCertificateMismatchException.class);
    if (mismatch != null) {
      return new IncusUnavailableException(
          at
              + " presented a certificate that does not match the pinned one (its SHA-256 is "
              + mismatch.presentedFingerprint()
              + "): if the daemon's certificate changed, pin the new one; if not, something else"
              + " answers at that address",
          e);
    }
    if (cause(e, HttpConnectTimeoutException.class) != null) {
      return new IncusUnavailableException(
          at
              + " not reachable: no connection within "
              + https.connectTimeout().toSeconds()
              + " s; check the address, firewalls and that the daemon listens"
              + " (core.https_address)",
          e);
    }
    if (cause(e, UnknownHostException.class) != null
        || cause(e, UnresolvedAddressException.class) != null) {
      return new IncusUnavailableException(
          at + " not reachable: unknown host " + https.address().getHost() + "; check the address",
          e);
    }
    ConnectException refused = cause(e, ConnectException.class);
    if (refused != null) {
      String reason = deepestMessage(refused);
      return new IncusUnavailableException(
          at
              + " not reachable: "
              + (reason.isEmpty() || reason.contains("refused") ? "connection refused" : reason)
              + "; check the address and that the daemon listens (core.https_address)",
          e);
    }
    SSLException tls = cause(e, SSLException.class);
    if (tls != null && mentions(tls, CLIENT_CERTIFICATE_REFUSED)) {
      return clientNotTrusted(https);
    }
    CertificateException untrusted = cause(e, CertificateException.class);
    if (untrusted != null) {
      return new IncusUnavailableException(
          at
              + " presented a certificate that "
              + https.trust().describe()
              + " does not vouch for: "
              + untrusted.getMessage(),
          e);
    }
    if (tls != null) {
      return new IncusUnavailableException(
          at + ": the TLS handshake failed (" + tls.getMessage() + "); is it an Incus daemon?", e);
    }
    return null;
  }

  /** The first throwable of this type in the cause chain, or null. */
  private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  private static boolean mentions(Throwable e, Pattern pattern) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getMessage() != null
          && pattern.matcher(t.getMessage().toLowerCase(Locale.ROOT)).find()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The innermost message in the cause chain, lower-case; java.net.http often wraps without one.
   */
  private static String deepestMessage(Throwable e) {
    String message = "";
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        message = t.getMessage();
      }
    }
    return message.toLowerCase(Locale.ROOT);
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
