/**
 * coi's Incus {@link dev.coi.api.spi.ContainerBackend}: the top layer of coi-incus, an adapter from
 * the SPI of coi-api onto the public client in {@link dev.coi.incus}. Nothing here is called as a
 * type: {@link java.util.ServiceLoader} finds {@link dev.coi.incus.backend.IncusContainerBackend}
 * through {@code META-INF/services}, and coi-core chooses it by name ({@code incus}) or
 * availability. The layers depend one way only: backend, then the client ({@code dev.coi.incus}),
 * then {@link dev.coi.incus.transport}.
 */
package dev.coi.incus.backend;
