/**
 * Service provider interfaces, found with {@link java.util.ServiceLoader}. {@link
 * dev.coi.api.spi.ContainerBackend} is what a container engine implements (Incus is the real one);
 * {@link dev.coi.api.spi.SessionStore} is where ended sessions are kept (coi-core's {@code file}
 * store is the default). Each says whether it is available here and why not; configuration can name
 * the one to use. Both have a contract test suite in the artifact {@code dev.coi:coi-tck} ({@code
 * dev.coi.tck.ContainerBackendContract}, {@code dev.coi.tck.SessionStoreContract}) that every
 * implementation's test extends; add it at test scope. Users of sessions never need this package.
 */
package dev.coi.api.spi;
