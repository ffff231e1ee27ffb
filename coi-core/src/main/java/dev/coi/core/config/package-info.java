/**
 * coi's configuration: TOML files in layers, environment variables and profiles, merged into one
 * immutable {@link dev.coi.core.config.Config}. Start at {@link
 * dev.coi.core.config.ConfigLoader#standard()}; docs/CONFIGURATION.md lists every key. The session
 * engine loads it for each session, so programs using {@link dev.coi.api.Sessions} need not.
 */
package dev.coi.core.config;
