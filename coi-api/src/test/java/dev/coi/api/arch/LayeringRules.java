package dev.coi.api.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The module rules of docs/ARCHITECTURE.md, as ArchUnit rules. Each module's {@code
 * ArchitectureTest} checks its own classes against the rules that concern it.
 */
public final class LayeringRules {
  private LayeringRules() {}

  /** The production classes under a package, as compiled into this module. */
  public static JavaClasses productionClasses(String rootPackage) {
    return new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
        .importPackages(rootPackage);
  }

  /** coi-api depends on the JDK and itself only. */
  public static final ArchRule API_STANDS_ALONE =
      noClasses()
          .that()
          .resideInAPackage("dev.coi.api..")
          .should()
          .dependOnClassesThat()
          .resideOutsideOfPackages("dev.coi.api..", "java..", "org.immutables.value..")
          .because("coi-api depends on the JDK alone (Immutables' annotations are compile-time)");

  /**
   * coi-hostfs, the one owner of host-side file work on trees the container can write, depends on
   * the JDK alone, so that the engine and the backend share it without seeing each other.
   */
  public static final ArchRule HOSTFS_STANDS_ALONE =
      noClasses()
          .that()
          .resideInAPackage("dev.coi.hostfs..")
          .should()
          .dependOnClassesThat()
          .resideOutsideOfPackages("dev.coi.hostfs..", "java..")
          .because("coi-hostfs depends on the JDK alone");

  /** coi-core sees coi-api, never a backend or a front end. */
  public static final ArchRule CORE_KNOWS_NO_BACKEND =
      noClasses()
          .that()
          .resideInAPackage("dev.coi.core..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.coi.incus..", "dev.coi.cli..", "dev.coi.junit..")
          .because("backends are found through the ContainerBackend SPI");

  /** coi-incus sees coi-api, never the engine or a front end. */
  public static final ArchRule BACKEND_KNOWS_NO_ENGINE =
      noClasses()
          .that()
          .resideInAPackage("dev.coi.incus..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.coi.core..", "dev.coi.cli..", "dev.coi.junit..")
          .because("a backend implements the SPI of coi-api and nothing else of ours");

  /** Front ends (CLI, JUnit extension, examples) use the public API only. */
  public static ArchRule frontEndUsesPublicApiOnly(String frontEndPackage) {
    return noClasses()
        .that()
        .resideInAPackage(frontEndPackage + "..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.coi..internal..", "dev.coi.incus..", "dev.coi.api.spi..")
        .because("front ends program against Sessions and the types of coi-api");
  }

  /** No package of ours depends, through any path, on one that depends back on it. */
  public static final ArchRule NO_PACKAGE_CYCLES =
      slices().matching("dev.coi.(**)").should().beFreeOfCycles();
}
