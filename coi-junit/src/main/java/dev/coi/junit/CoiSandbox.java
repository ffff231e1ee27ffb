package dev.coi.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives JUnit 5 tests throwaway coi sandboxes: system containers, each a {@link
 * dev.coi.api.Session} on a workspace, gone when their test is. Put it on the test class; then a
 * field annotated {@code @CoiSandbox} of type {@code Session}, or a parameter of type {@code
 * Session} of a test, {@code @BeforeEach} or {@code @BeforeAll} method, is a started sandbox.
 *
 * <pre>{@code
 * @CoiSandbox(image = "coi-sandbox", environment = "CI=true")
 * class BuildTest {
 *   @CoiSandbox static Session shared;          // one for the class, closed after its last test
 *   @CoiSandbox Session fresh;                  // a new one for every test
 *
 *   @Test
 *   void buildsInAFreshContainer(@CoiSandbox(workspace = "src/test/project") Session s) {
 *     ExecResult r = s.run("sh", "-c", "make test");
 *     assertEquals(0, r.exitCode(), r.stderr());
 *   }
 *
 *   @Test
 *   void sharedAcrossClasses(@CoiSandbox(shared = true) Session s) {
 *     assertEquals("hi\n", s.run("echo", "hi").stdout());
 *   }
 *
 *   static SessionSpec withLimits(Path workspace) {  // named by spec = "withLimits"
 *     return Sessions.builder().workspace(workspace).limits(Limits.builder().cpu("1").build()).build();
 *   }
 * }
 * }</pre>
 *
 * <p><b>What a sandbox is.</b> The annotation on a field or parameter says what that sandbox is; an
 * attribute it leaves at its default comes from the class's annotation (environment entries add up,
 * the field's or parameter's winning on a name; {@code persistent} and {@code shared} are true when
 * either says so). The attributes, or a static factory method named by {@link #spec()}, give the
 * {@link dev.coi.api.SessionSpec}; the workspace is a fresh temporary directory unless {@link
 * #workspace()} names one, and what neither says comes from coi's configuration as for any session
 * ({@code CLAUDE_ON_INCUS_IMAGE}, {@code .claude-on-incus.toml} ...).
 *
 * <p><b>How long it lives.</b> An instance field or a test's parameter: one test (a new sandbox per
 * test, in both test-instance lifecycles). A static field or a {@code @BeforeAll} parameter: the
 * class. With {@link #shared()}: the whole test run, one sandbox for every class that asks for the
 * same spec. Each is closed through JUnit's extension store, so the container goes when a test
 * fails or throws too; a fresh workspace is deleted after it. Every field and parameter is a
 * sandbox of its own: share one between a {@code @BeforeEach} and the test through a field.
 *
 * <p><b>Parallel execution.</b> Safe under {@code junit.jupiter.execution.parallel.mode.default =
 * concurrent}: sandboxes start on the test's own thread, shared ones once.
 *
 * <p><b>No daemon.</b> When no container backend can be reached, the class's tests are skipped and
 * the reason is given. Set the system property or JUnit configuration parameter {@value
 * CoiSandboxExtension#REQUIRE_DAEMON_PROPERTY}{@code =true}, or the environment variable {@value
 * CoiSandboxExtension#REQUIRE_DAEMON_ENV}{@code =true}, to make that a failure (for CI).
 *
 * <p><b>Leaks.</b> Every sandbox carries the labels {@code coi-junit.run} (this run's id), {@code
 * coi-junit.pid} and {@code coi-junit.test}. The first class of a run removes the sandboxes of
 * earlier runs whose process is gone (killed before JUnit could close them): ephemeral ones are
 * deleted, persistent ones left running are stopped and kept.
 *
 * <p><b>On failure.</b> When a test or a lifecycle method fails, each of its sandboxes adds the
 * container's name and the last lines its commands wrote to the failure (a suppressed exception in
 * the report) and publishes them as a report entry ({@code coi.sandbox.<name>}).
 */
@Target({ElementType.TYPE, ElementType.FIELD, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(CoiSandboxExtension.class)
public @interface CoiSandbox {

  /** The image alias; the configured one ({@code coi-sandbox} by default) when empty. */
  String image() default "";

  /**
   * The host directory mounted at {@code /workspace}, relative to the working directory; a fresh
   * temporary directory, deleted afterwards, when empty.
   */
  String workspace() default "";

  /** True to keep the container after the sandbox's lifetime, to be reused by the next run. */
  boolean persistent() default false;

  /** Environment variables for every process in the sandbox, each {@code NAME=value}. */
  String[] environment() default {};

  /** A configuration profile to apply ({@code [profiles.NAME]}); none when empty. */
  String profile() default "";

  /**
   * A static method giving the whole spec instead of the other attributes: {@code name} in the test
   * class, or {@code com.example.Specs#name}. It returns a {@link dev.coi.api.SessionSpec} and
   * takes no parameter or one {@link java.nio.file.Path}: a fresh temporary directory, deleted
   * afterwards, that it may use as the workspace.
   */
  String spec() default "";

  /**
   * True for one sandbox per test run, shared by every field and parameter, in any class, whose
   * spec is the same; closed when the run ends.
   */
  boolean shared() default false;
}
