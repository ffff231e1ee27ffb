package dev.coi.junit;

import dev.coi.api.SessionSpec;
import dev.coi.api.Sessions;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * What one {@link CoiSandbox} annotation asks for, before a workspace is chosen: turned into a spec
 * for each sandbox, and compared as a whole to tell whether two shared sandboxes are the same.
 */
final class SandboxRecipe {
  private final String image;
  private final String workspace;
  private final boolean persistent;
  private final List<String> environment;
  private final String profile;
  private final String spec;
  private final boolean shared;
  private final Class<?> testClass;
  private final String where;

  private SandboxRecipe(List<CoiSandbox> layers, Class<?> testClass, String where) {
    // The innermost annotation that sets an attribute wins; environments add up, inner last.
    this.image = first(layers, CoiSandbox::image);
    this.workspace = first(layers, CoiSandbox::workspace);
    this.profile = first(layers, CoiSandbox::profile);
    this.spec = first(layers, CoiSandbox::spec);
    this.persistent = layers.stream().anyMatch(CoiSandbox::persistent);
    this.shared = layers.stream().anyMatch(CoiSandbox::shared);
    List<String> env = new ArrayList<>();
    for (int i = layers.size() - 1; i >= 0; i--) {
      env.addAll(List.of(layers.get(i).environment()));
    }
    this.environment = List.copyOf(env);
    this.testClass = testClass;
    this.where = where;
  }

  private static String first(List<CoiSandbox> layers, Function<CoiSandbox, String> attribute) {
    return layers.stream().map(attribute).filter(v -> !v.isEmpty()).findFirst().orElse("");
  }

  /**
   * The recipe of a field or parameter: its own annotation's attributes, then those of the class's
   * (and the enclosing classes') for what it leaves at the default.
   */
  static SandboxRecipe of(CoiSandbox own, Class<?> testClass, String where) {
    List<CoiSandbox> layers = new ArrayList<>();
    if (own != null) {
      layers.add(own);
    }
    for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
      CoiSandbox onClass = c.getAnnotation(CoiSandbox.class);
      if (onClass != null) {
        layers.add(onClass);
      }
    }
    return new SandboxRecipe(layers, testClass, where);
  }

  boolean shared() {
    return shared;
  }

  /** True when the sandbox gets a fresh temporary directory, for the spec or as the workspace. */
  boolean needsFreshDirectory() {
    return spec.isEmpty() ? workspace.isEmpty() : factory().getParameterCount() == 1;
  }

  /**
   * The identity of a shared sandbox: every attribute, and for a factory method the spec it gives
   * (one taking a directory is identified by the method, as its spec depends on the directory).
   */
  Object sharingKey() {
    if (spec.isEmpty()) {
      return List.of(image, workspace, persistent, environment, profile);
    }
    Method factory = factory();
    return factory.getParameterCount() == 1 ? factory : invoke(factory, null);
  }

  /** The spec for one sandbox: the recipe's, with the run's labels and the given workspace. */
  SessionSpec spec(Path freshDirectory, Map<String, String> labels) {
    SessionSpec.Builder builder;
    if (spec.isEmpty()) {
      builder = fromAttributes(freshDirectory);
    } else {
      builder = invoke(factory(), freshDirectory).toBuilder();
    }
    return builder.putAllLabels(labels).build();
  }

  private SessionSpec.Builder fromAttributes(Path freshDirectory) {
    Path directory = workspace.isEmpty() ? freshDirectory : Path.of(workspace).toAbsolutePath();
    if (!Files.isDirectory(directory)) {
      throw fail("workspace " + directory + " is not a directory: create it or give another");
    }
    SessionSpec.Builder builder = Sessions.builder().workspace(directory).persistent(persistent);
    if (!image.isEmpty()) {
      builder.image(image);
    }
    if (!profile.isEmpty()) {
      builder.profile(profile);
    }
    Map<String, String> variables = new LinkedHashMap<>();
    for (String variable : environment) {
      int eq = variable.indexOf('=');
      if (eq <= 0) {
        throw fail("environment entry '" + variable + "' is not NAME=value");
      }
      variables.put(variable.substring(0, eq), variable.substring(eq + 1));
    }
    builder.putAllEnvironment(variables);
    return builder;
  }

  private Method factory() {
    String name = spec;
    Class<?> owner = testClass;
    int hash = name.indexOf('#');
    if (hash >= 0) {
      try {
        owner = Class.forName(name.substring(0, hash), false, testClass.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw fail("spec class " + name.substring(0, hash) + " is not on the class path");
      }
      name = name.substring(hash + 1);
    }
    String methodName = name;
    for (Class<?> c = owner; c != null; c = c.getSuperclass()) {
      Method found =
          Arrays.stream(c.getDeclaredMethods())
              .filter(m -> m.getName().equals(methodName))
              .filter(m -> Modifier.isStatic(m.getModifiers()))
              .filter(m -> SessionSpec.class.isAssignableFrom(m.getReturnType()))
              .filter(
                  m ->
                      m.getParameterCount() == 0
                          || (m.getParameterCount() == 1 && m.getParameterTypes()[0] == Path.class))
              .findFirst()
              .orElse(null);
      if (found != null) {
        found.setAccessible(true);
        return found;
      }
    }
    throw fail(
        "spec method '"
            + spec
            + "' not found: declare 'static SessionSpec "
            + methodName
            + "()' or '(Path workspace)' in "
            + owner.getName());
  }

  private SessionSpec invoke(Method factory, Path freshDirectory) {
    try {
      Object spec =
          factory.getParameterCount() == 0
              ? factory.invoke(null)
              : factory.invoke(null, freshDirectory);
      if (spec == null) {
        throw fail("spec method " + factory.getName() + " returned null");
      }
      return (SessionSpec) spec;
    } catch (IllegalAccessException e) {
      throw fail("spec method " + factory.getName() + " cannot be called: " + e.getMessage());
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      throw new ExtensionConfigurationException(
          "spec method " + factory.getName() + " failed: " + cause, cause);
    }
  }

  private ExtensionConfigurationException fail(String problem) {
    return new ExtensionConfigurationException("@CoiSandbox on " + where + ": " + problem);
  }
}
