package dev.coi.cli;

import static dev.coi.tck.arch.LayeringRules.NOTHING_OUTSIDE_INTERNAL_DEPENDS_ON_IT;
import static dev.coi.tck.arch.LayeringRules.NO_NAME_CLASH_WITH_THE_JDK;
import static dev.coi.tck.arch.LayeringRules.NO_PACKAGE_CYCLES;
import static dev.coi.tck.arch.LayeringRules.frontEndUsesPublicApiOnly;
import static dev.coi.tck.arch.LayeringRules.productionClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
  private final JavaClasses classes = productionClasses("dev.coi.cli");

  @Test
  void theCliUsesThePublicApiOnly() {
    frontEndUsesPublicApiOnly("dev.coi.cli").check(classes);
  }

  @Test
  void cliPackagesHaveNoCycles() {
    NO_PACKAGE_CYCLES.check(classes);
  }

  @Test
  void noTypeHidesACommonJdkType() {
    NO_NAME_CLASH_WITH_THE_JDK.check(classes);
  }

  @Test
  void nothingOutsideAnInternalPackageDependsOnOne() {
    NOTHING_OUTSIDE_INTERNAL_DEPENDS_ON_IT.check(classes);
  }
}
