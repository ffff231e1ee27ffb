package dev.coi.examples;

import static dev.coi.tck.arch.LayeringRules.frontEndUsesPublicApiOnly;
import static dev.coi.tck.arch.LayeringRules.productionClasses;

import org.junit.jupiter.api.Test;

class ArchitectureTest {

  @Test
  void examplesUseThePublicApiOnly() {
    frontEndUsesPublicApiOnly("dev.coi.examples").check(productionClasses("dev.coi.examples"));
  }
}
