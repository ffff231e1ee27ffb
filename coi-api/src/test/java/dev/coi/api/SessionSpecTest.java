package dev.coi.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SessionSpecTest {
  private static final Path WS = Path.of("/src/app");

  @Test
  void theBuilderGivesAnImmutableSpecWithDefaults() {
    SessionSpec spec = Sessions.builder().workspace(WS).build();

    assertEquals(WS, spec.workspace());
    assertEquals(0, spec.slot());
    assertEquals(Optional.empty(), spec.persistent(), "configuration decides");
    assertEquals(Optional.empty(), spec.image());
    assertEquals(Map.of(), spec.environment());
  }

  @Test
  void theFluentShapeSetsSlotAndPersistence() {
    SessionSpec spec =
        Sessions.builder()
            .workspace(WS)
            .slot(2)
            .persistent()
            .putEnvironment("CI", "true")
            .image("coi-test-min")
            .build();

    assertEquals(2, spec.slot());
    assertEquals(Optional.of(true), spec.persistent());
    assertEquals(Optional.of(false), spec.toBuilder().persistent(false).build().persistent());
    assertEquals(Map.of("CI", "true"), spec.environment());
    assertEquals(Optional.of("coi-test-min"), spec.image());
  }

  @Test
  void toBuilderDerivesAnotherSpecAndLeavesTheFirstAlone() {
    SessionSpec first = Sessions.builder().workspace(WS).slot(2).build();
    SessionSpec second = first.toBuilder().slot(3).build();

    assertEquals(2, first.slot());
    assertEquals(3, second.slot());
    assertEquals(first.workspace(), second.workspace());
  }

  @Test
  void badValuesAreRefusedWithTheValueInTheMessage() {
    InvalidSpecException slot =
        assertThrows(
            InvalidSpecException.class, () -> Sessions.builder().workspace(WS).slot(-1).build());
    assertTrue(slot.getMessage().contains("-1"), slot.getMessage());

    InvalidSpecException env =
        assertThrows(
            InvalidSpecException.class,
            () -> Sessions.builder().workspace(WS).putEnvironment("A-B", "x").build());
    assertTrue(env.getMessage().contains("A-B"), env.getMessage());

    InvalidSpecException prefix =
        assertThrows(
            InvalidSpecException.class,
            () -> Sessions.builder().workspace(WS).containerPrefix("Bad_").build());
    assertTrue(prefix.getMessage().contains("Bad_"), prefix.getMessage());
  }

  @Test
  void aProfileIsChosenByNameAndABlankNameIsRefused() {
    assertEquals(Optional.empty(), Sessions.builder().workspace(WS).build().profile());
    assertEquals(
        Optional.of("ci"), Sessions.builder().workspace(WS).profile("ci").build().profile());

    InvalidSpecException blank =
        assertThrows(
            InvalidSpecException.class,
            () -> Sessions.builder().workspace(WS).profile(" ").build());
    assertTrue(blank.getMessage().contains("profile"), blank.getMessage());
  }

  @Test
  void mountsMustBeAbsoluteOnBothSides() {
    assertThrows(InvalidSpecException.class, () -> Mount.of(Path.of("rel"), "/x"));
    assertThrows(InvalidSpecException.class, () -> Mount.of(Path.of("/abs"), "x"));
    assertTrue(Mount.of(Path.of("/abs"), "/x").withReadOnly(true).readOnly());
  }

  @Test
  void startingWithoutAnEngineSaysWhichDependencyIsMissing() {
    // coi-api's own tests have no engine on the class path.
    CoiException e =
        assertThrows(CoiException.class, () -> Sessions.builder().workspace(WS).start());
    assertTrue(e.getMessage().contains("coi-core"), e.getMessage());
  }

  @Test
  void environmentValuesNeverShowInToString() {
    SessionSpec spec =
        Sessions.builder().workspace(WS).putEnvironment("API_TOKEN", "s3cret-value").build();
    assertFalse(spec.toString().contains("s3cret-value"), spec.toString());
  }

  @Test
  void aSpecWithoutAWorkspaceSaysSo() {
    InvalidSpecException e =
        assertThrows(InvalidSpecException.class, () -> Sessions.builder().slot(1).build());
    assertEquals(
        "a session needs a workspace: call workspace(path) with the project's directory",
        e.getMessage());
  }
}
