/**
 * Service provider interfaces, found with {@link java.util.ServiceLoader}. {@link
 * dev.coi.api.spi.ContainerBackend} is what a container engine implements (Incus is the real one);
 * {@link dev.coi.api.spi.SessionStore} is where ended sessions are kept (coi-core's {@code file}
 * store is the default). Each says whether it is available here and why not; configuration can name
 * the one to use. Both have a contract test suite in coi-api's test-jar ({@code
 * dev.coi.api.testing.ContainerBackendContract}, {@code SessionStoreContract}) that every
 * implementation extends. Users of sessions never need this package.
 */
package dev.coi.api.spi;
