/**
 * The public API of coi. Start at {@link dev.coi.api.Sessions#builder()}: it gives a {@link
 * dev.coi.api.SessionSpec.Builder} whose {@code start()} returns a live {@link dev.coi.api.Session}
 * (run commands, stream them, start and attach to the agent, save, close). The read side is {@link
 * dev.coi.api.Sessions#list()}, {@link dev.coi.api.Sessions#find} and {@link
 * dev.coi.api.Sessions#latest}, each giving {@link dev.coi.api.SessionInfo}s. Errors are unchecked
 * {@link dev.coi.api.CoiException}s. Implementers of container backends and session stores look at
 * {@link dev.coi.api.spi}.
 *
 * <pre>{@code
 * try (Session s = Sessions.builder().workspace(Path.of(".")).start()) {
 *   System.out.print(s.run("echo", "hello").stdout());
 * }
 * }</pre>
 */
package dev.coi.api;
