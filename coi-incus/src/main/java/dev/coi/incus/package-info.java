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
 *
 * <p>Bounds against a daemon that misbehaves: every request must be answered completely within its
 * deadline (30 s unless a method says otherwise; a trickling daemon fails as a silent one does);
 * headers over 64 KiB and bodies read into memory over 64 MiB are refused ({@code
 * TransportLimits}); large files stream ({@link dev.coi.incus.Files#open}, {@link
 * dev.coi.incus.FileStream}); a request is sent again on a fresh connection only when the daemon
 * cannot have seen it, or when it is idempotent and got no answer, so a {@code POST} is never sent
 * twice; websocket upgrades must finish within 5 s; {@code close()} ends every thread.
 */
package dev.coi.incus;
