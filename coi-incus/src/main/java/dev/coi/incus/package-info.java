/**
 * A native Java client of the Incus REST API, and coi's Incus backend. Start at {@link
 * dev.coi.incus.IncusClient#local()}: it finds the local daemon's socket as the Incus tools do
 * ({@code INCUS_SOCKET}, {@code INCUS_DIR}, {@code /run/incus}, {@code /var/lib/incus}); {@link
 * dev.coi.incus.IncusClient#remote} reaches a daemon over HTTPS with a client certificate. It
 * offers the API by area: {@code instances()}, {@code exec()}, {@code files()}, {@code images()},
 * {@code snapshots()}, {@code operations()} and {@code events()}. {@link
 * dev.coi.incus.IncusUnavailableException} says when the daemon cannot be reached, and why. For coi
 * sessions nothing here is needed: the backend registers itself for {@link
 * java.util.ServiceLoader}.
 */
package dev.coi.incus;
