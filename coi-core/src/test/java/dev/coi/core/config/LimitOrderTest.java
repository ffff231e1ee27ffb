package dev.coi.core.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LimitOrderTest {
  private static boolean cpu(String value, String limit) {
    return LimitOrder.atMost(Key.LIMITS_CPU, value, limit);
  }

  private static boolean memory(String value, String limit) {
    return LimitOrder.atMost(Key.LIMITS_MEMORY, value, limit);
  }

  @Test
  void cpuCountsAndSetsCompareByAmountAndSetsBySubset() {
    assertTrue(cpu("2", "4"));
    assertTrue(cpu("4", "4"));
    assertFalse(cpu("5", "4"));
    assertTrue(cpu("1,3", "0-3"));
    assertFalse(cpu("3-4", "0-3"), "as many CPUs, but one outside the set");
    assertTrue(cpu("0-1", "2"));
    assertFalse(cpu("0-2", "2"));
    assertTrue(cpu("2", "4-5"));
    assertFalse(cpu("3", "4-5"));
    assertThrows(ValueProblem.class, () -> cpu("all", "2"));
    assertThrows(ValueProblem.class, () -> cpu("3-1", "4"));
    assertThrows(ValueProblem.class, () -> cpu("0-99999", "4"));
  }

  @Test
  void memorySizesCompareInBytesWhateverTheUnit() {
    assertTrue(memory("1GiB", "1024MiB"));
    assertTrue(memory("1000MB", "1GB"));
    assertFalse(memory("1GB", "999MB"));
    assertTrue(memory("1GB", "1GiB"));
    assertFalse(memory("1GiB", "1GB"));
    assertTrue(memory("1.5GiB", "2GiB"));
    assertTrue(memory("512", "1kB"), "bytes without a unit");
    assertTrue(memory("20%", "50%"));
    assertFalse(memory("60%", "50%"));
    assertThrows(ValueProblem.class, () -> memory("50%", "4GiB"));
    assertThrows(ValueProblem.class, () -> memory("4GiB", "50%"));
    assertThrows(ValueProblem.class, () -> memory("4 lots", "4GiB"));
  }

  @Test
  void processesCompareAsWholeNumbers() {
    assertTrue(LimitOrder.atMost(Key.LIMITS_PROCESSES, "99", "100"));
    assertFalse(LimitOrder.atMost(Key.LIMITS_PROCESSES, "101", "100"));
    assertThrows(ValueProblem.class, () -> LimitOrder.atMost(Key.LIMITS_PROCESSES, "-1", "100"));
  }
}
