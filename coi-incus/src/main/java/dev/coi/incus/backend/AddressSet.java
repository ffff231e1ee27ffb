package dev.coi.incus.backend;

import dev.coi.api.IpPrefix;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * A set of IPv4 and IPv6 addresses, with union and subtraction, written back as the fewest Incus
 * ACL subjects. Both families share one number line: IPv6 addresses as themselves, IPv4 addresses
 * above 2^128, so the families never mix and one {@link RangeSet} does the arithmetic.
 */
record AddressSet(RangeSet numberLine) {
  private static final BigInteger V4_BASE = BigInteger.ONE.shiftLeft(128);
  private static final BigInteger V6_LAST = V4_BASE.subtract(BigInteger.ONE);
  private static final BigInteger V4_LAST =
      V4_BASE.add(BigInteger.ONE.shiftLeft(32)).subtract(BigInteger.ONE);

  static final AddressSet EMPTY = new AddressSet(RangeSet.EMPTY);
  static final AddressSet ALL_IPV4 = new AddressSet(RangeSet.of(V4_BASE, V4_LAST));
  static final AddressSet ALL_IPV6 = new AddressSet(RangeSet.of(BigInteger.ZERO, V6_LAST));
  static final AddressSet ALL = ALL_IPV4.union(ALL_IPV6);

  static AddressSet of(IpPrefix prefix) {
    BigInteger base = prefix.isIpv4() ? V4_BASE : BigInteger.ZERO;
    return new AddressSet(RangeSet.of(base.add(prefix.first()), base.add(prefix.last())));
  }

  static AddressSet of(List<IpPrefix> prefixes) {
    AddressSet result = EMPTY;
    for (IpPrefix prefix : prefixes) {
      result = result.union(of(prefix));
    }
    return result;
  }

  /** The set of blocks given as text ({@code "10.0.0.0/8"}). */
  static AddressSet parse(String... blocks) {
    AddressSet result = EMPTY;
    for (String block : blocks) {
      result = result.union(of(IpPrefix.parse(block)));
    }
    return result;
  }

  AddressSet union(AddressSet other) {
    return new AddressSet(numberLine.union(other.numberLine));
  }

  AddressSet minus(AddressSet other) {
    return new AddressSet(numberLine.minus(other.numberLine));
  }

  AddressSet intersect(AddressSet other) {
    return new AddressSet(numberLine.intersect(other.numberLine));
  }

  boolean isEmpty() {
    return numberLine.isEmpty();
  }

  /** True when the address (4 or 16 bytes) is in the set. */
  boolean contains(byte[] address) {
    BigInteger n = new BigInteger(1, address);
    return numberLine.contains(address.length == 4 ? V4_BASE.add(n) : n);
  }

  AddressSet ipv4() {
    return intersect(ALL_IPV4);
  }

  AddressSet ipv6() {
    return intersect(ALL_IPV6);
  }

  /**
   * Incus subjects, one per range: a CIDR block when the range is one ({@code 10.0.0.0/8}), else
   * {@code first-last}, which Incus takes as well and which keeps a rule short.
   */
  List<String> subjects() {
    List<String> subjects = new ArrayList<>();
    for (RangeSet.Range range : numberLine.ranges()) {
      boolean v4 = range.first().compareTo(V4_BASE) >= 0;
      BigInteger base = v4 ? V4_BASE : BigInteger.ZERO;
      int bytes = v4 ? 4 : 16;
      BigInteger first = range.first().subtract(base);
      BigInteger last = range.last().subtract(base);
      BigInteger size = last.subtract(first).add(BigInteger.ONE);
      int hostBits = size.bitLength() - 1;
      boolean block =
          size.bitCount() == 1 && (first.signum() == 0 || first.getLowestSetBit() >= hostBits);
      if (block) {
        subjects.add(IpPrefix.of(bytes(first, bytes), bytes * 8 - hostBits).toString());
      } else {
        subjects.add(
            IpPrefix.format(bytes(first, bytes)) + "-" + IpPrefix.format(bytes(last, bytes)));
      }
    }
    return subjects;
  }

  /** The low {@code length} bytes of a non-negative number, big-endian. */
  static byte[] bytes(BigInteger n, int length) {
    byte[] raw = n.toByteArray();
    byte[] out = new byte[length];
    int copy = Math.min(raw.length, length);
    System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
    return out;
  }

  /** An address's bytes from the set's number line, for tests drawing from a set. */
  static byte[] address(BigInteger onLine) {
    return onLine.compareTo(V4_BASE) >= 0 ? bytes(onLine.subtract(V4_BASE), 4) : bytes(onLine, 16);
  }

  @Override
  public String toString() {
    return String.join(",", subjects());
  }
}
