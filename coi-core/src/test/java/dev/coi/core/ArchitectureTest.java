package dev.coi.core;

import static dev.coi.tck.arch.LayeringRules.CORE_KNOWS_NO_BACKEND;
import static dev.coi.tck.arch.LayeringRules.INTERNAL_MEANS_NOT_PUBLIC;
import static dev.coi.tck.arch.LayeringRules.NO_PACKAGE_CYCLES;
import static dev.coi.tck.arch.LayeringRules.productionClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
  private final JavaClasses classes = productionClasses("dev.coi.core");

  @Test
  void coreKnowsNoBackendAndNoFrontEnd() {
    CORE_KNOWS_NO_BACKEND.check(classes);
  }

  @Test
  void corePackagesHaveNoCycles() {
    NO_PACKAGE_CYCLES.check(classes);
  }

  @Test
  void internalPackagesHoldNoPublicType() {
    INTERNAL_MEANS_NOT_PUBLIC.check(classes);
  }
}
