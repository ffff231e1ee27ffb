package dev.coi.examples;

import static dev.coi.tck.arch.LayeringRules.NOTHING_OUTSIDE_INTERNAL_DEPENDS_ON_IT;
import static dev.coi.tck.arch.LayeringRules.frontEndUsesPublicApiOnly;
import static dev.coi.tck.arch.LayeringRules.productionClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
  private final JavaClasses classes = productionClasses("dev.coi.examples");

  @Test
  void examplesUseThePublicApiOnly() {
    frontEndUsesPublicApiOnly("dev.coi.examples").check(classes);
  }

  @Test
  void nothingOutsideAnInternalPackageDependsOnOne() {
    NOTHING_OUTSIDE_INTERNAL_DEPENDS_ON_IT.check(classes);
  }
}
