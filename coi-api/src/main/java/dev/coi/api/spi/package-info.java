/**
 * Service provider interfaces. {@link dev.coi.api.spi.ContainerBackend} is what a container engine
 * implements (Incus is the real one); {@link dev.coi.api.spi.SessionEngine} links {@link
 * dev.coi.api.Sessions} to coi-core. Users of sessions never need this package.
 */
package dev.coi.api.spi;
