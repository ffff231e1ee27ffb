package dev.coi.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.SessionSpec;
import dev.coi.api.Sessions;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.io.TempDir;

/** How annotations become specs, without starting anything. */
class SandboxRecipeTest {
  @TempDir Path fresh;

  @CoiSandbox(
      image = "img",
      environment = {"A=class", "B=class"},
      profile = "ci")
  static class Annotated {
    @CoiSandbox(environment = "B=field", persistent = true)
    Object field;

    @CoiSandbox Object plain;

    @CoiSandbox(spec = "custom")
    Object fromFactory;

    @CoiSandbox(spec = "dev.coi.junit.SandboxRecipeTest$Specs#elsewhere")
    Object fromOtherClass;

    @CoiSandbox(environment = "NOEQUALS")
    Object broken;

    @CoiSandbox(spec = "missing")
    Object missing;

    static SessionSpec custom(Path workspace) {
      return Sessions.builder().workspace(workspace).image("from-factory").build();
    }
  }

  static class Specs {
    static SessionSpec elsewhere() {
      return Sessions.builder().workspace(Path.of("/tmp")).slot(3).build();
    }
  }

  private static SandboxRecipe recipe(String field) throws NoSuchFieldException {
    return SandboxRecipe.of(
        Annotated.class.getDeclaredField(field).getAnnotation(CoiSandbox.class),
        Annotated.class,
        "field " + field);
  }

  @Test
  void aFieldsAttributesOverTheClasssEnvironmentsAddingUp() throws Exception {
    SessionSpec spec = recipe("field").spec(fresh, Map.of("coi-junit.run", "r"));

    assertEquals(fresh, spec.workspace());
    assertEquals(Optional.of("img"), spec.image());
    assertEquals(Optional.of("ci"), spec.profile());
    assertEquals(Optional.of(true), spec.persistent());
    assertEquals(Map.of("A", "class", "B", "field"), spec.environment());
    assertEquals(Map.of("coi-junit.run", "r"), spec.labels());
  }

  @Test
  void aPlainFieldTakesTheClasssAttributesAndIsEphemeral() throws Exception {
    SessionSpec spec = recipe("plain").spec(fresh, Map.of());

    assertEquals(Optional.of(false), spec.persistent());
    assertEquals(Map.of("A", "class", "B", "class"), spec.environment());
    assertTrue(recipe("plain").needsFreshDirectory());
  }

  @Test
  void aFactoryGetsTheFreshDirectoryAndItsSpecIsUsedWhole() throws Exception {
    SessionSpec spec = recipe("fromFactory").spec(fresh, Map.of("k", "v"));

    assertEquals(fresh, spec.workspace());
    assertEquals(Optional.of("from-factory"), spec.image());
    assertEquals(Map.of(), spec.environment());
    assertEquals(Map.of("k", "v"), spec.labels());
  }

  @Test
  void aFactoryOfAnotherClassIsNamedWithAHash() throws Exception {
    SandboxRecipe recipe = recipe("fromOtherClass");

    assertEquals(3, recipe.spec(null, Map.of()).slot());
    assertEquals(false, recipe.needsFreshDirectory());
  }

  @Test
  void sharingKeysAreEqualForTheSameAttributesOnly() throws Exception {
    assertEquals(recipe("plain").sharingKey(), recipe("plain").sharingKey());
    assertNotEquals(recipe("plain").sharingKey(), recipe("field").sharingKey());
    assertEquals(recipe("fromOtherClass").sharingKey(), recipe("fromOtherClass").sharingKey());
  }

  @Test
  void mistakesAreOneLineNamingTheFieldAndTheFix() throws Exception {
    ExtensionConfigurationException env =
        assertThrows(
            ExtensionConfigurationException.class, () -> recipe("broken").spec(fresh, Map.of()));
    assertEquals(
        "@CoiSandbox on field broken: environment entry 'NOEQUALS' is not NAME=value",
        env.getMessage());

    ExtensionConfigurationException missing =
        assertThrows(
            ExtensionConfigurationException.class, () -> recipe("missing").spec(fresh, Map.of()));
    assertEquals(
        "@CoiSandbox on field missing: spec method 'missing' not found: declare 'static"
            + " SessionSpec missing()' or '(Path workspace)' in "
            + Annotated.class.getName(),
        missing.getMessage());
  }
}
