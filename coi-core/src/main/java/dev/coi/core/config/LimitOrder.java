package dev.coi.core.config;

import java.math.BigDecimal;
import java.util.BitSet;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether one Incus limit gives no more than another, so that an untrusted workspace's file can
 * lower a limit and never raise it. Values are read as Incus reads them: {@code limits.cpu} a count
 * ("2") or a set of CPUs ("0-3,6"); {@code limits.memory} a size with an optional unit ("512MiB",
 * "4GB") or a share of the host ("50%"); {@code limits.processes} a count. Two values that cannot
 * be compared (a share against a size) are a {@link ValueProblem}: refused rather than guessed.
 */
final class LimitOrder {
  private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([A-Za-z]*)");
  private static final Pattern PERCENT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*%");
  private static final Pattern CPU_SET = Pattern.compile("\\d+(-\\d+)?(,\\d+(-\\d+)?)*");

  private static final Map<String, Long> UNITS =
      Map.ofEntries(
          Map.entry("", 1L),
          Map.entry("b", 1L),
          Map.entry("kb", 1000L),
          Map.entry("mb", 1000L * 1000),
          Map.entry("gb", 1000L * 1000 * 1000),
          Map.entry("tb", 1000L * 1000 * 1000 * 1000),
          Map.entry("pb", 1000L * 1000 * 1000 * 1000 * 1000),
          Map.entry("eb", 1000L * 1000 * 1000 * 1000 * 1000 * 1000),
          Map.entry("kib", 1L << 10),
          Map.entry("mib", 1L << 20),
          Map.entry("gib", 1L << 30),
          Map.entry("tib", 1L << 40),
          Map.entry("pib", 1L << 50),
          Map.entry("eib", 1L << 60));

  private LimitOrder() {}

  /**
   * True when {@code value} gives at most what {@code limit} gives.
   *
   * @throws ValueProblem when either cannot be read, or the two cannot be compared
   */
  static boolean atMost(Key key, String value, String limit) {
    switch (key) {
      case LIMITS_CPU:
        return cpuAtMost(value.trim(), limit.trim());
      case LIMITS_MEMORY:
        return memoryAtMost(value.trim(), limit.trim());
      case LIMITS_PROCESSES:
        return count(value).compareTo(count(limit)) <= 0;
      default:
        throw new IllegalArgumentException(key.dotted() + " is not a limit");
    }
  }

  private static boolean cpuAtMost(String value, String limit) {
    boolean valueIsCount = value.matches("\\d+");
    boolean limitIsCount = limit.matches("\\d+");
    if (valueIsCount && limitIsCount) {
      return count(value).compareTo(count(limit)) <= 0;
    }
    // A set pins named CPUs: within another set it is a subset; against a count, its size counts.
    if (valueIsCount) {
      return count(value).compareTo(BigDecimal.valueOf(cpus(limit).cardinality())) <= 0;
    }
    BitSet asked = cpus(value);
    if (limitIsCount) {
      return BigDecimal.valueOf(asked.cardinality()).compareTo(count(limit)) <= 0;
    }
    BitSet outside = (BitSet) asked.clone();
    outside.andNot(cpus(limit));
    return outside.isEmpty();
  }

  private static BitSet cpus(String set) {
    if (!CPU_SET.matcher(set).matches()) {
      throw new ValueProblem(
          ValueType.quote(set) + " is neither a count of CPUs (\"2\") nor a set (\"0-3,6\")");
    }
    BitSet cpus = new BitSet();
    for (String part : set.split(",")) {
      String[] range = part.split("-");
      int from = cpuNumber(range[0], set);
      int to = range.length > 1 ? cpuNumber(range[1], set) : from;
      if (to < from) {
        throw new ValueProblem(ValueType.quote(set) + " has a range that ends before it starts");
      }
      cpus.set(from, to + 1);
    }
    return cpus;
  }

  private static int cpuNumber(String text, String set) {
    try {
      int n = Integer.parseInt(text);
      if (n < 4096) {
        return n;
      }
    } catch (NumberFormatException tooLarge) {
      // Reported below.
    }
    throw new ValueProblem(ValueType.quote(set) + " names a CPU beyond 4095");
  }

  private static boolean memoryAtMost(String value, String limit) {
    Matcher valueShare = PERCENT.matcher(value);
    Matcher limitShare = PERCENT.matcher(limit);
    if (valueShare.matches() && limitShare.matches()) {
      return new BigDecimal(valueShare.group(1)).compareTo(new BigDecimal(limitShare.group(1)))
          <= 0;
    }
    if (valueShare.matches() || limitShare.matches()) {
      throw new ValueProblem(
          "cannot be compared with "
              + ValueType.quote(limit)
              + ": one is a share of the host and the other a size");
    }
    return bytes(value).compareTo(bytes(limit)) <= 0;
  }

  private static BigDecimal bytes(String size) {
    Matcher m = SIZE.matcher(size);
    Long unit = m.matches() ? UNITS.get(m.group(2).toLowerCase(Locale.ROOT)) : null;
    if (unit == null) {
      throw new ValueProblem(
          ValueType.quote(size) + " is not a memory size such as \"512MiB\", \"4GB\" or \"50%\"");
    }
    return new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
  }

  private static BigDecimal count(String text) {
    if (!text.trim().matches("\\d+")) {
      throw new ValueProblem(ValueType.quote(text) + " is not a whole number");
    }
    return new BigDecimal(text.trim());
  }
}
