package dev.coi.junit;

import dev.coi.api.Session;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * The extension behind {@link CoiSandbox}, which registers it; see there for what it does. It uses
 * coi's public API alone ({@code dev.coi.api.Sessions}), so any engine and backend on the class
 * path serve it.
 */
public final class CoiSandboxExtension
    implements ExecutionCondition,
        BeforeAllCallback,
        BeforeEachCallback,
        ParameterResolver,
        TestExecutionExceptionHandler,
        LifecycleMethodExecutionExceptionHandler {

  /**
   * System property or JUnit configuration parameter: {@code true} makes an unreachable backend a
   * failure instead of a reason to skip.
   */
  public static final String REQUIRE_DAEMON_PROPERTY = "coi.junit.requireDaemon";

  /** Environment variable with the same meaning as {@link #REQUIRE_DAEMON_PROPERTY}. */
  public static final String REQUIRE_DAEMON_ENV = "COI_JUNIT_REQUIRE_DAEMON";

  private static final Namespace NAMESPACE = Namespace.create(CoiSandboxExtension.class);

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    Optional<String> unavailable = run(context).unavailable();
    if (unavailable.isEmpty()) {
      return ConditionEvaluationResult.enabled("a container backend answers");
    }
    String reason = "no coi sandbox can be started: " + unavailable.get();
    if (daemonRequired(context)) {
      throw new ExtensionConfigurationException(
          reason + " (" + REQUIRE_DAEMON_PROPERTY + " is set, so this fails instead of skipping)");
    }
    return ConditionEvaluationResult.disabled(
        reason + "; set " + REQUIRE_DAEMON_PROPERTY + "=true to fail instead");
  }

  private static boolean daemonRequired(ExtensionContext context) {
    String env = System.getenv(REQUIRE_DAEMON_ENV);
    return context
            .getConfigurationParameter(REQUIRE_DAEMON_PROPERTY, Boolean::parseBoolean)
            .orElse(false)
        || "true".equalsIgnoreCase(env)
        || "1".equals(env);
  }

  private static TestRun run(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(TestRun.class, type -> TestRun.begin(), TestRun.class);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    for (Field field : sandboxFields(context.getRequiredTestClass(), true)) {
      inject(field, null, context);
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
      for (Field field : sandboxFields(instance.getClass(), false)) {
        inject(field, instance, context);
      }
    }
  }

  private static void inject(Field field, Object instance, ExtensionContext context) {
    String where = "field " + field.getDeclaringClass().getSimpleName() + "." + field.getName();
    if (field.getType() != Session.class) {
      throw new ExtensionConfigurationException(
          "@CoiSandbox on "
              + where
              + ": its type is "
              + field.getType().getName()
              + "; declare it as dev.coi.api.Session");
    }
    if (Modifier.isFinal(field.getModifiers())) {
      throw new ExtensionConfigurationException(
          "@CoiSandbox on " + where + ": it is final; remove 'final' so the sandbox can be set");
    }
    SandboxRecipe recipe =
        SandboxRecipe.of(field.getAnnotation(CoiSandbox.class), field.getDeclaringClass(), where);
    Sandbox sandbox = obtain(recipe, context);
    try {
      field.setAccessible(true);
      field.set(instance, sandbox.session());
    } catch (IllegalAccessException | RuntimeException e) {
      throw new ExtensionConfigurationException(
          "@CoiSandbox on " + where + ": cannot set it: " + e.getMessage(), e);
    }
  }

  /** The annotated fields of a class and its superclasses, static or not. */
  private static List<Field> sandboxFields(Class<?> type, boolean isStatic) {
    List<Field> fields = new ArrayList<>();
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field field : c.getDeclaredFields()) {
        if (field.isAnnotationPresent(CoiSandbox.class)
            && Modifier.isStatic(field.getModifiers()) == isStatic) {
          fields.add(field);
        }
      }
    }
    return fields;
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Session.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    String where =
        "parameter "
            + parameter.getParameter().getName()
            + " of "
            + parameter.getDeclaringExecutable().getName();
    SandboxRecipe recipe =
        SandboxRecipe.of(
            parameter.findAnnotation(CoiSandbox.class).orElse(null),
            context.getRequiredTestClass(),
            where);
    return obtain(recipe, context).session();
  }

  /**
   * A sandbox for a recipe in a context: a new one closed with the context, or the run's shared one
   * for that recipe, started once however many threads ask at the same time.
   */
  private static Sandbox obtain(SandboxRecipe recipe, ExtensionContext context) {
    TestRun run = run(context);
    String test =
        context.getRequiredTestClass().getName()
            + context.getTestMethod().map(m -> "#" + m.getName()).orElse("");
    Sandbox sandbox;
    if (recipe.shared()) {
      sandbox =
          context
              .getRoot()
              .getStore(NAMESPACE)
              .getOrComputeIfAbsent(
                  List.of("shared", recipe.sharingKey()),
                  key -> Sandbox.start(recipe, run.labels("shared, first for " + test)),
                  Sandbox.class);
    } else {
      sandbox = Sandbox.start(recipe, run.labels(test));
      context.getStore(NAMESPACE).put("sandbox-" + UUID.randomUUID(), sandbox);
    }
    sandboxesOf(context).add(sandbox);
    return sandbox;
  }

  /** The sandboxes a context gave out, to be reported on when something in it fails. */
  @SuppressWarnings("unchecked")
  private static List<Sandbox> sandboxesOf(ExtensionContext context) {
    return context
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            "sandboxes of " + context.getUniqueId(),
            key -> Collections.synchronizedList(new ArrayList<Sandbox>()),
            List.class);
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    throw report(context, failure);
  }

  @Override
  public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    throw report(context, failure);
  }

  @Override
  public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    throw report(context, failure);
  }

  @Override
  public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    throw report(context, failure);
  }

  @Override
  public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    throw report(context, failure);
  }

  /**
   * Adds what each sandbox of the failing context (and of the contexts around it) can tell to the
   * failure, as a suppressed exception, and publishes it as a report entry. The sandboxes are still
   * running here: JUnit closes them only after the handlers.
   */
  private static Throwable report(ExtensionContext context, Throwable failure) {
    Set<Sandbox> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Optional<ExtensionContext> c = Optional.of(context);
        c.isPresent();
        c = c.get().getParent()) {
      List<Sandbox> sandboxes;
      synchronized (sandboxesOf(c.get())) {
        sandboxes = new ArrayList<>(sandboxesOf(c.get()));
      }
      for (Sandbox sandbox : sandboxes) {
        if (seen.add(sandbox)) {
          String text = sandbox.report();
          context.publishReportEntry(Map.of("coi.sandbox." + sandbox.name(), text));
          failure.addSuppressed(new SandboxReport(text));
        }
      }
    }
    return failure;
  }

  /** The report of one sandbox, attached to a failure; it has no stack trace of its own. */
  static final class SandboxReport extends Exception {
    private static final long serialVersionUID = 1L;

    SandboxReport(String text) {
      super(text, null, false, false);
    }
  }
}
