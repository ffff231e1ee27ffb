package dev.coi.incus.transport;

import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;

/** The transport contract over the local daemon's unix socket. */
class UnixSocketTransportIT extends TransportContract {
  @TempDir Path sockets;

  @Override
  protected HttpTransport newTransport() {
    return new UnixSocketTransport(SocketLocator.locate(System.getenv()));
  }

  @Override
  protected ScriptedDaemon scriptedDaemon(ScriptedDaemon.Script script) throws Exception {
    return ScriptedDaemon.unix(sockets.resolve(UUID.randomUUID() + ".socket"), script);
  }

  @Override
  protected HttpTransport transportTo(ScriptedDaemon daemon, TransportLimits limits) {
    return new UnixSocketTransport(daemon.socketPath(), limits);
  }

  @Override
  protected int connectionsHeld() {
    // Between requests every connection the transport holds is idle in its pool.
    return ((UnixSocketTransport) transport).idleConnections();
  }
}
