/**
 * coi sandboxes for JUnit 5 tests: start with {@link dev.coi.junit.CoiSandbox}, which has the
 * complete example.
 */
package dev.coi.junit;
