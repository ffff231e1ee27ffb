package dev.coi.core.config;

/**
 * One value as a layer gives it, with where it came from ("user file /home/me/.config/…:3",
 * "environment CLAUDE_ON_INCUS_IMAGE"), so that {@link Config#describe()} can tell.
 */
record Setting(Object value, String origin) {}
