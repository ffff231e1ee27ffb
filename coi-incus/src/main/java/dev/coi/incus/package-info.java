/**
 * coi's Incus backend. Putting {@code dev.coi:coi-incus} on the class path is all it takes: the
 * backend registers itself for {@link java.util.ServiceLoader} and finds the local daemon's socket
 * as the Incus tools do ({@code INCUS_SOCKET}, {@code INCUS_DIR}, {@code /run/incus}, {@code
 * /var/lib/incus}). {@link dev.coi.incus.IncusUnavailableException} says when the daemon cannot be
 * reached, and why.
 */
package dev.coi.incus;
