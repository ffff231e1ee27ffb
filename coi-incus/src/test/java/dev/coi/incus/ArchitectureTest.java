package dev.coi.incus;

import static dev.coi.tck.arch.LayeringRules.BACKEND_KNOWS_NO_ENGINE;
import static dev.coi.tck.arch.LayeringRules.INCUS_LAYERS_ONE_WAY;
import static dev.coi.tck.arch.LayeringRules.NOTHING_OUTSIDE_INTERNAL_DEPENDS_ON_IT;
import static dev.coi.tck.arch.LayeringRules.NO_NAME_CLASH_WITH_THE_JDK;
import static dev.coi.tck.arch.LayeringRules.NO_PACKAGE_CYCLES;
import static dev.coi.tck.arch.LayeringRules.productionClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
  private final JavaClasses classes = productionClasses("dev.coi.incus");

  @Test
  void theBackendKnowsNoEngineAndNoFrontEnd() {
    BACKEND_KNOWS_NO_ENGINE.check(classes);
  }

  @Test
  void backendPackagesHaveNoCycles() {
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

  @Test
  void theLayersDependOneWayBackendClientTransport() {
    INCUS_LAYERS_ONE_WAY.check(classes);
  }
}
