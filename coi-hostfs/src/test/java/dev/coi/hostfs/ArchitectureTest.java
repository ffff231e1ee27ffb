package dev.coi.hostfs;

import static dev.coi.tck.arch.LayeringRules.HOSTFS_STANDS_ALONE;
import static dev.coi.tck.arch.LayeringRules.NO_PACKAGE_CYCLES;
import static dev.coi.tck.arch.LayeringRules.productionClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
  private final JavaClasses classes = productionClasses("dev.coi.hostfs");

  @Test
  void hostfsDependsOnTheJdkAlone() {
    HOSTFS_STANDS_ALONE.check(classes);
  }

  @Test
  void hostfsPackagesHaveNoCycles() {
    NO_PACKAGE_CYCLES.check(classes);
  }
}
