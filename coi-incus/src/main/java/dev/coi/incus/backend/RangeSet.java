package dev.coi.incus.backend;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A set of whole numbers as sorted, disjoint, non-adjacent closed ranges: the arithmetic behind
 * address sets ({@link AddressSet}) and port sets. Immutable; every operation returns a new set.
 */
record RangeSet(List<Range> ranges) {
  static final RangeSet EMPTY = new RangeSet(List.of());

  /** A closed range {@code [first, last]}. */
  record Range(BigInteger first, BigInteger last) {
    Range {
      if (first.compareTo(last) > 0) {
        throw new IllegalArgumentException("range ends before it starts: " + first + "-" + last);
      }
    }
  }

  RangeSet {
    ranges = Collections.unmodifiableList(ranges);
  }

  static RangeSet of(BigInteger first, BigInteger last) {
    return new RangeSet(List.of(new Range(first, last)));
  }

  static RangeSet of(long first, long last) {
    return of(BigInteger.valueOf(first), BigInteger.valueOf(last));
  }

  boolean isEmpty() {
    return ranges.isEmpty();
  }

  boolean contains(BigInteger n) {
    int low = 0;
    int high = ranges.size() - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      Range r = ranges.get(mid);
      if (n.compareTo(r.first()) < 0) {
        high = mid - 1;
      } else if (n.compareTo(r.last()) > 0) {
        low = mid + 1;
      } else {
        return true;
      }
    }
    return false;
  }

  RangeSet union(RangeSet other) {
    List<Range> all = new ArrayList<>(ranges);
    all.addAll(other.ranges);
    all.sort((a, b) -> a.first().compareTo(b.first()));
    List<Range> merged = new ArrayList<>();
    for (Range r : all) {
      Range last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      // Adjacent ranges merge too, so that one set has one form.
      if (last != null && r.first().compareTo(last.last().add(BigInteger.ONE)) <= 0) {
        merged.set(merged.size() - 1, new Range(last.first(), last.last().max(r.last())));
      } else {
        merged.add(r);
      }
    }
    return new RangeSet(merged);
  }

  /** This set without the numbers of {@code other}. */
  RangeSet minus(RangeSet other) {
    List<Range> result = new ArrayList<>();
    int j = 0;
    for (Range r : ranges) {
      BigInteger start = r.first();
      while (j < other.ranges.size() && other.ranges.get(j).last().compareTo(start) < 0) {
        j++;
      }
      int k = j;
      while (k < other.ranges.size() && other.ranges.get(k).first().compareTo(r.last()) <= 0) {
        Range cut = other.ranges.get(k);
        if (cut.first().compareTo(start) > 0) {
          result.add(new Range(start, cut.first().subtract(BigInteger.ONE)));
        }
        start = start.max(cut.last().add(BigInteger.ONE));
        if (cut.last().compareTo(r.last()) >= 0) {
          break;
        }
        k++;
      }
      if (start.compareTo(r.last()) <= 0) {
        result.add(new Range(start, r.last()));
      }
    }
    return new RangeSet(result);
  }

  RangeSet intersect(RangeSet other) {
    return minus(minus(other));
  }
}
