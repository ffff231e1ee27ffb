package dev.coi.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static dev.coi.tck.arch.LayeringRules.NOTHING_OUTSIDE_INTERNAL_DEPENDS_ON_IT;
import static dev.coi.tck.arch.LayeringRules.frontEndUsesPublicApiOnly;
import static dev.coi.tck.arch.LayeringRules.productionClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
  private final JavaClasses classes = productionClasses("dev.coi.examples");

  /** The programs use Sessions alone; the store example implements the SPI, so it is apart. */
  @Test
  void examplesUseThePublicApiOnly() {
    JavaClasses programs =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .withImportOption(location -> !location.contains("/dev/coi/examples/store/"))
            .importPackages("dev.coi.examples");
    frontEndUsesPublicApiOnly("dev.coi.examples").check(programs);
  }

  /** A third-party store sees coi-api (and coi-hostfs), never coi's engine or backend. */
  @Test
  void theStoreExampleNeedsNothingButTheApi() {
    noClasses()
        .that()
        .resideInAPackage("dev.coi.examples.store..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.coi..internal..", "dev.coi.core..", "dev.coi.incus..")
        .check(classes);
  }

  @Test
  void nothingOutsideAnInternalPackageDependsOnOne() {
    NOTHING_OUTSIDE_INTERNAL_DEPENDS_ON_IT.check(classes);
  }
}
