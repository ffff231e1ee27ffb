package dev.coi.junit;

import static dev.coi.tck.arch.LayeringRules.INTERNAL_MEANS_NOT_PUBLIC;
import static dev.coi.tck.arch.LayeringRules.NOTHING_OUTSIDE_INTERNAL_DEPENDS_ON_IT;
import static dev.coi.tck.arch.LayeringRules.NO_NAME_CLASH_WITH_THE_JDK;
import static dev.coi.tck.arch.LayeringRules.NO_PACKAGE_CYCLES;
import static dev.coi.tck.arch.LayeringRules.frontEndUsesPublicApiOnly;
import static dev.coi.tck.arch.LayeringRules.productionClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
  private final JavaClasses classes = productionClasses("dev.coi.junit");

  @Test
  void theExtensionUsesThePublicApiOnly() {
    frontEndUsesPublicApiOnly("dev.coi.junit").check(classes);
  }

  @Test
  void nothingOutsideAnInternalPackageDependsOnOne() {
    NOTHING_OUTSIDE_INTERNAL_DEPENDS_ON_IT.check(classes);
  }

  @Test
  void internalPackagesHoldNoPublicType() {
    INTERNAL_MEANS_NOT_PUBLIC.check(classes);
  }

  @Test
  void noPackageCycles() {
    NO_PACKAGE_CYCLES.check(classes);
  }

  @Test
  void noTypeHidesACommonJdkType() {
    NO_NAME_CLASH_WITH_THE_JDK.check(classes);
  }
}
