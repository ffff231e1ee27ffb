package dev.coi.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Whether a workspace's limit is at most the user's: CPU counts compare by amount and CPU sets by
 * subset, memory sizes in bytes whatever the unit, processes as whole numbers.
 */
class LimitOrderTest {

  @ParameterizedTest(name = "{0}: {1} at most {2} is {3}")
  @CsvSource({
    "LIMITS_CPU, 2, 4, true",
    "LIMITS_CPU, 4, 4, true",
    "LIMITS_CPU, 5, 4, false",
    "LIMITS_CPU, '1,3', 0-3, true",
    // as many CPUs, but one outside the set
    "LIMITS_CPU, 3-4, 0-3, false",
    "LIMITS_CPU, 0-1, 2, true",
    "LIMITS_CPU, 0-2, 2, false",
    "LIMITS_CPU, 2, 4-5, true",
    "LIMITS_CPU, 3, 4-5, false",
    "LIMITS_MEMORY, 1GiB, 1024MiB, true",
    "LIMITS_MEMORY, 1000MB, 1GB, true",
    "LIMITS_MEMORY, 1GB, 999MB, false",
    "LIMITS_MEMORY, 1GB, 1GiB, true",
    "LIMITS_MEMORY, 1GiB, 1GB, false",
    "LIMITS_MEMORY, 1.5GiB, 2GiB, true",
    // bytes without a unit
    "LIMITS_MEMORY, 512, 1kB, true",
    "LIMITS_MEMORY, 20%, 50%, true",
    "LIMITS_MEMORY, 60%, 50%, false",
    "LIMITS_PROCESSES, 99, 100, true",
    "LIMITS_PROCESSES, 101, 100, false",
  })
  void aLimitIsComparedAsItsKindOfValue(Key key, String value, String limit, boolean atMost) {
    assertEquals(atMost, LimitOrder.atMost(key, value, limit));
  }

  @ParameterizedTest(name = "{0}: {1} against {2}")
  @CsvSource({
    "LIMITS_CPU, all, 2",
    "LIMITS_CPU, 3-1, 4",
    "LIMITS_CPU, 0-99999, 4",
    // a share and a size do not compare
    "LIMITS_MEMORY, 50%, 4GiB",
    "LIMITS_MEMORY, 4GiB, 50%",
    "LIMITS_MEMORY, 4 lots, 4GiB",
    "LIMITS_PROCESSES, -1, 100",
  })
  void aValueThatIsNotOfItsKindIsAProblem(Key key, String value, String limit) {
    assertThrows(ValueProblem.class, () -> LimitOrder.atMost(key, value, limit));
  }
}
