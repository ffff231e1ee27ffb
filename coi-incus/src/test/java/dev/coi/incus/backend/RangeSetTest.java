package dev.coi.incus.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.coi.api.IpPrefix;
import java.math.BigInteger;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RangeSetTest {
  /** Union, subtraction and intersection of random sets, against BitSet on the same numbers. */
  @Test
  void setArithmeticAgreesWithBitSets() {
    Random random = new Random(42);
    for (int round = 0; round < 2000; round++) {
      BitSet a = new BitSet();
      BitSet b = new BitSet();
      RangeSet ra = randomSet(random, a);
      RangeSet rb = randomSet(random, b);
      BitSet union = (BitSet) a.clone();
      union.or(b);
      BitSet minus = (BitSet) a.clone();
      minus.andNot(b);
      BitSet both = (BitSet) a.clone();
      both.and(b);
      assertEquals(union, bits(ra.union(rb)), "union " + ra + " " + rb);
      assertEquals(minus, bits(ra.minus(rb)), "minus " + ra + " " + rb);
      assertEquals(both, bits(ra.intersect(rb)), "intersect " + ra + " " + rb);
      for (int n = 0; n < 130; n++) {
        assertEquals(a.get(n), ra.contains(BigInteger.valueOf(n)));
      }
    }
  }

  @Test
  void subtractingAnExceptionSplitsABlockIntoTheFewestSubjects() {
    AddressSet blocked = AddressSet.parse("10.0.0.0/8", "fc00::/7");
    AddressSet left = blocked.minus(AddressSet.parse("10.1.2.0/24", "fd00::/8"));
    assertEquals(
        List.of("10.0.0.0-10.1.1.255", "10.1.3.0-10.255.255.255", "fc00::/8"),
        order(left.subjects()));
    assertEquals(List.of("0.0.0.0/0"), AddressSet.ALL_IPV4.subjects());
    assertEquals(List.of("::/0"), AddressSet.ALL_IPV6.subjects());
    assertEquals(List.of("1.2.3.4/32"), AddressSet.parse("1.2.3.4").subjects());
  }

  @Test
  void familiesNeverMix() {
    AddressSet v4 = AddressSet.parse("0.0.0.0/0");
    assertEquals(v4, v4.minus(AddressSet.parse("::/0")));
    assertEquals(false, v4.contains(IpPrefix.parse("::1").address()));
    assertEquals(true, v4.contains(IpPrefix.parse("0.0.0.1").address()));
  }

  private static List<String> order(List<String> subjects) {
    return subjects.stream()
        .sorted((x, y) -> Boolean.compare(x.contains(":"), y.contains(":")))
        .toList();
  }

  private static RangeSet randomSet(Random random, BitSet bits) {
    RangeSet set = RangeSet.EMPTY;
    for (int i = random.nextInt(5); i > 0; i--) {
      int from = random.nextInt(120);
      int to = from + random.nextInt(10);
      bits.set(from, to + 1);
      set = set.union(RangeSet.of(from, to));
    }
    return set;
  }

  private static BitSet bits(RangeSet set) {
    BitSet bits = new BitSet();
    for (RangeSet.Range r : set.ranges()) {
      bits.set(r.first().intValueExact(), r.last().intValueExact() + 1);
    }
    return bits;
  }
}
