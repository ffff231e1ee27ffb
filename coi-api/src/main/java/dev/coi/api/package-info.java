/**
 * The public API of coi. Start at {@link dev.coi.api.Sessions#builder()}: it gives a {@link
 * dev.coi.api.SessionSpec.Builder} whose {@code start()} returns a live {@link
 * dev.coi.api.Session}. Errors are {@link dev.coi.api.CoiException}s. Implementers of container
 * backends look at {@link dev.coi.api.spi}.
 */
package dev.coi.api;
