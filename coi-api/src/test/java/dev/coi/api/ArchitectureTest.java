package dev.coi.api;

import static dev.coi.api.arch.LayeringRules.API_STANDS_ALONE;
import static dev.coi.api.arch.LayeringRules.INTERNAL_MEANS_NOT_PUBLIC;
import static dev.coi.api.arch.LayeringRules.NO_PACKAGE_CYCLES;
import static dev.coi.api.arch.LayeringRules.productionClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
  private final JavaClasses classes = productionClasses("dev.coi.api");

  @Test
  void apiDependsOnTheJdkAlone() {
    API_STANDS_ALONE.check(classes);
  }

  @Test
  void apiPackagesHaveNoCycles() {
    NO_PACKAGE_CYCLES.check(classes);
  }

  @Test
  void internalPackagesHoldNoPublicType() {
    INTERNAL_MEANS_NOT_PUBLIC.check(classes);
  }
}
