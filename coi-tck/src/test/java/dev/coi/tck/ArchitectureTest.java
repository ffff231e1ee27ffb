package dev.coi.tck;

import static dev.coi.tck.arch.LayeringRules.API_STANDS_ALONE;
import static dev.coi.tck.arch.LayeringRules.INTERNAL_MEANS_NOT_PUBLIC;
import static dev.coi.tck.arch.LayeringRules.NOTHING_OUTSIDE_INTERNAL_DEPENDS_ON_IT;
import static dev.coi.tck.arch.LayeringRules.NO_NAME_CLASH_WITH_THE_JDK;
import static dev.coi.tck.arch.LayeringRules.NO_PACKAGE_CYCLES;
import static dev.coi.tck.arch.LayeringRules.TCK_USES_PUBLIC_TYPES_ONLY;
import static dev.coi.tck.arch.LayeringRules.productionClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * coi-api's rules are checked here: coi-api cannot see this module (coi-tck depends on it), so its
 * classes are read from the class path, where only coi-api holds {@code dev.coi.api}.
 */
class ArchitectureTest {
  private final JavaClasses api =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.coi.api");
  private final JavaClasses tck = productionClasses("dev.coi.tck");

  @Test
  void apiDependsOnTheJdkAlone() {
    API_STANDS_ALONE.check(api);
  }

  @Test
  void apiPackagesHaveNoCycles() {
    NO_PACKAGE_CYCLES.check(api);
  }

  @Test
  void apiInternalPackagesHoldNoPublicType() {
    INTERNAL_MEANS_NOT_PUBLIC.check(api);
  }

  @Test
  void theTckUsesPublicTypesOnly() {
    TCK_USES_PUBLIC_TYPES_ONLY.check(tck);
  }

  @Test
  void tckPackagesHaveNoCycles() {
    NO_PACKAGE_CYCLES.check(tck);
  }

  @Test
  void noTypeHidesACommonJdkType() {
    NO_NAME_CLASH_WITH_THE_JDK.check(api);
  }

  @Test
  void nothingOutsideAnInternalPackageDependsOnOneInTheApi() {
    NOTHING_OUTSIDE_INTERNAL_DEPENDS_ON_IT.check(api);
  }

  @Test
  void nothingOutsideAnInternalPackageDependsOnOneInTheTck() {
    NOTHING_OUTSIDE_INTERNAL_DEPENDS_ON_IT.check(tck);
  }
}
