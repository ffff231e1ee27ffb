package dev.coi.api.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
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

  /**
   * "internal" names the bottom of a module: what is public in a package named so is public for the
   * compiler's sake, never for other layers to build on.
   */
  public static final ArchRule NOTHING_OUTSIDE_INTERNAL_DEPENDS_ON_IT =
      noClasses()
          .that()
          .resideInAPackage("dev.coi..")
          .and()
          .resideOutsideOfPackage("..internal..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.coi..internal..")
          .because("an internal package is a module's private implementation, never a layer below");

  /**
   * coi-incus in three layers, depending one way: the SPI adapter ({@code backend}) on the client
   * ({@code dev.coi.incus}), the client on the transport, the transport on nothing of coi.
   */
  public static final ArchRule INCUS_LAYERS_ONE_WAY =
      layeredArchitecture()
          .consideringOnlyDependenciesInAnyPackage("dev.coi.incus..")
          .layer("backend")
          .definedBy("dev.coi.incus.backend..")
          .layer("client")
          .definedBy("dev.coi.incus")
          .layer("transport")
          .definedBy("dev.coi.incus.transport..")
          .whereLayer("backend")
          .mayNotBeAccessedByAnyLayer()
          .whereLayer("client")
          .mayOnlyBeAccessedByLayers("backend")
          .whereLayer("transport")
          .mayOnlyBeAccessedByLayers("client", "backend");

  /** No package of ours depends, through any path, on one that depends back on it. */
  public static final ArchRule NO_PACKAGE_CYCLES =
      slices().matching("dev.coi.(**)").should().beFreeOfCycles();
}
