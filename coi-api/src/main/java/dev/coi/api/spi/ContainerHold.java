package dev.coi.api.spi;

/**
 * A program's hold on a running container, from {@link ContainerBackend#hold}: while it is open,
 * the backend keeps up what it maintains for the container (the Incus backend: an {@code allowlist}
 * session's addresses, resolved again on their TTL). Closing it ends that, and nothing else: the
 * container keeps running. Closing twice is harmless.
 *
 * <pre>{@code
 * try (ContainerHold hold = backend.hold(name)) {
 *   backend.exec(name, command);
 * }
 * }</pre>
 */
public interface ContainerHold extends AutoCloseable {
  /** A hold that keeps nothing up: for backends that maintain nothing for their containers. */
  ContainerHold NONE = () -> {};

  /** Lets go of the container; never throws. */
  @Override
  void close();
}
