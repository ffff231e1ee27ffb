/**
 * The bottom layer of coi-incus: how bytes reach one Incus daemon. {@link
 * dev.coi.incus.transport.HttpTransport} carries HTTP requests (one request, one response, safe for
 * concurrent use) and {@link dev.coi.incus.transport.WebSocket} is the blocking seam the exec and
 * events streams read and write. Two implementations of each pass the same contract tests: {@link
 * dev.coi.incus.transport.UnixSocketTransport}, hand-written HTTP/1.1 over the local unix socket
 * (found by {@link dev.coi.incus.transport.SocketLocator} as the Incus tools find it), and {@link
 * dev.coi.incus.transport.HttpsTransport}, {@code java.net.http} with a client certificate and a
 * pinned server certificate or a CA ({@link dev.coi.incus.transport.ServerTrust}).
 *
 * <p>This package knows nothing of the REST API above it: it never reads an envelope or an
 * operation, and it depends on nothing else of coi. {@link dev.coi.incus.IncusClient} is built on
 * it; a test or an embedder with its own way to the daemon (a proxy, a recorded session) can give
 * the client another transport.
 *
 * <pre>{@code
 * try (HttpTransport http = new UnixSocketTransport(SocketLocator.locate(System.getenv()))) {
 *   HttpResponse r = http.send(HttpRequest.of("GET", "/1.0"));
 * }
 * }</pre>
 */
package dev.coi.incus.transport;
