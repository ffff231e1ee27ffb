package dev.coi.tck.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import dev.coi.api.SessionEngine;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.SessionStore;
import java.util.List;

/**
 * The module rules of docs/ARCHITECTURE.md, as ArchUnit rules. Each module's {@code
 * ArchitectureTest} checks its own classes against the rules that concern it (coi-api's are checked
 * in coi-tck's, as coi-api cannot depend on coi-tck).
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

  /**
   * A package whose name says {@code internal} holds no public type: what a user may see lives in a
   * package without that word. The one exception is a {@link java.util.ServiceLoader} provider (an
   * engine, backend or store), which the JDK can only instantiate when it is public.
   */
  public static final ArchRule INTERNAL_MEANS_NOT_PUBLIC =
      classes()
          .that()
          .resideInAPackage("dev.coi..internal..")
          .and()
          .areNotAssignableTo(SessionEngine.class)
          .and()
          .areNotAssignableTo(ContainerBackend.class)
          .and()
          .areNotAssignableTo(SessionStore.class)
          .and()
          .areNotAssignableTo(dev.coi.api.ImageBuilder.class)
          .should()
          .notBePublic()
          .allowEmptyShould(true)
          .because("a package named internal promises users nothing; a public type there leaks");

  /** The TCK tests an implementation through coi-api, never through anyone's internals. */
  public static final ArchRule TCK_USES_PUBLIC_TYPES_ONLY =
      noClasses()
          .that()
          .resideInAPackage("dev.coi.tck..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.coi..internal..", "dev.coi.core..", "dev.coi.incus..", "dev.coi.cli..")
          .because("a third-party backend or store passes the same suite with coi-api alone");

  /** The JDK packages whose types any file may import; none of ours takes one of their names. */
  private static final List<String> COMMON_JDK_PACKAGES =
      List.of("java.lang", "java.io", "java.nio.file", "java.util", "java.time", "java.net");

  /**
   * No top-level type of ours is named as a type of a commonly imported JDK package: a {@code
   * Files} of ours hides {@code java.nio.file.Files} and makes every neighbour spell that one out.
   */
  public static final ArchRule NO_NAME_CLASH_WITH_THE_JDK =
      classes()
          .that()
          .resideInAPackage("dev.coi..")
          .and()
          .areTopLevelClasses()
          .should(
              new ArchCondition<JavaClass>("not share a simple name with a common JDK type") {
                @Override
                public void check(JavaClass type, ConditionEvents events) {
                  for (String jdk : COMMON_JDK_PACKAGES) {
                    String clash = jdk + "." + type.getSimpleName();
                    if (exists(clash)) {
                      events.add(
                          SimpleConditionEvent.violated(
                              type, type.getName() + " hides " + clash + " in its package"));
                    }
                  }
                }
              })
          .allowEmptyShould(true);

  private static boolean exists(String className) {
    try {
      Class.forName(className, false, ClassLoader.getPlatformClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError absent) {
      return false;
    }
  }

  /**
   * "internal" names the bottom of a module: what is public in a package named so is public for the
   * compiler's sake (or ServiceLoader's), never for other layers to build on.
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
