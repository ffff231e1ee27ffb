package dev.coi.incus.transport;

/** The transport contract over the local daemon's unix socket. */
class UnixSocketTransportIT extends TransportContract {

  @Override
  protected HttpTransport newTransport() {
    return new UnixSocketTransport(SocketLocator.locate(System.getenv()));
  }

  @Override
  protected int connectionsHeld() {
    // Between requests every connection the transport holds is idle in its pool.
    return ((UnixSocketTransport) transport).idleConnections();
  }
}
