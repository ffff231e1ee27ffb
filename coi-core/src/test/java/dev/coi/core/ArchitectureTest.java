package dev.coi.core;

import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static dev.coi.tck.arch.LayeringRules.CORE_KNOWS_NO_BACKEND;
import static dev.coi.tck.arch.LayeringRules.INTERNAL_MEANS_NOT_PUBLIC;
import static dev.coi.tck.arch.LayeringRules.NOTHING_OUTSIDE_INTERNAL_DEPENDS_ON_IT;
import static dev.coi.tck.arch.LayeringRules.NO_NAME_CLASH_WITH_THE_JDK;
import static dev.coi.tck.arch.LayeringRules.NO_PACKAGE_CYCLES;
import static dev.coi.tck.arch.LayeringRules.productionClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import dev.coi.api.spi.ContainerSpec;
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

  /** Container labels outlive coi's versions: one vocabulary writes them (ContainerLabel). */
  @Test
  void containerLabelsAreWrittenByTheirVocabularyAlone() {
    noClasses()
        .that()
        .resideInAPackage("dev.coi.core..")
        .and()
        .doNotHaveSimpleName("ContainerLabel")
        .should()
        .callMethodWhere(
            target(name("putLabels"))
                .and(target(owner(JavaClass.Predicates.assignableTo(ContainerSpec.Builder.class)))))
        .because("a label key spelled out elsewhere escapes the versioned vocabulary")
        .check(classes);
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
