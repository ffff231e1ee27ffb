package dev.coi.incus;

import dev.coi.incus.transport.WebSocket;

/**
 * The events stream's socket: the daemon only speaks on it, so what a client would send is dropped.
 */
interface EventSocket extends WebSocket {
  @Override
  default void sendBinary(byte[] data, int offset, int length) {}

  @Override
  default void sendText(String text) {}

  @Override
  default void sendClose() {}
}
