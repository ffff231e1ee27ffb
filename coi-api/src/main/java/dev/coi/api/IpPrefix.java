package dev.coi.api;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Objects;

/**
 * An IPv4 or IPv6 address block in CIDR notation ({@code 203.0.113.0/24}, {@code 2001:db8::/32}; a
 * bare address is a block of one). Parsed from the text alone, never through a name lookup, so a
 * host name is refused rather than resolved.
 */
public final class IpPrefix {
  private final byte[] address;
  private final int length;

  private IpPrefix(byte[] address, int length) {
    this.address = address;
    this.length = length;
  }

  /**
   * The block a text names; the address is cut to the prefix ({@code 10.1.2.3/8} is {@code
   * 10.0.0.0/8}).
   *
   * @throws InvalidSpecException with the text and an example when it is not an address or block
   */
  public static IpPrefix parse(String text) {
    String trimmed = text.trim();
    int slash = trimmed.indexOf('/');
    String host = slash < 0 ? trimmed : trimmed.substring(0, slash);
    byte[] bytes = host.contains(":") ? ipv6(host) : ipv4(host);
    int bits = bytes == null ? 0 : bytes.length * 8;
    int length = bits;
    if (bytes != null && slash >= 0) {
      String suffix = trimmed.substring(slash + 1);
      length = suffix.matches("\\d{1,3}") ? Integer.parseInt(suffix) : -1;
    }
    if (bytes == null || length < 0 || length > bits) {
      throw new InvalidSpecException(
          "'"
              + text
              + "' is not an IP address or block: write it as 203.0.113.0/24 or 2001:db8::/32"
              + " (host names belong in network.allow_domains)");
    }
    return new IpPrefix(mask(bytes, length), length);
  }

  /** A block from its first address and length. */
  public static IpPrefix of(byte[] address, int length) {
    if ((address.length != 4 && address.length != 16)
        || length < 0
        || length > address.length * 8) {
      throw new IllegalArgumentException("not an IPv4 or IPv6 block: /" + length);
    }
    return new IpPrefix(mask(address.clone(), length), length);
  }

  private static byte[] mask(byte[] bytes, int length) {
    for (int i = 0; i < bytes.length; i++) {
      int keep = Math.max(0, Math.min(8, length - i * 8));
      bytes[i] &= (byte) (0xff << (8 - keep));
    }
    return bytes;
  }

  private static byte[] ipv4(String text) {
    if (!text.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      return null;
    }
    byte[] bytes = new byte[4];
    String[] parts = text.split("\\.");
    for (int i = 0; i < 4; i++) {
      int value = Integer.parseInt(parts[i]);
      if (value > 255 || (parts[i].length() > 1 && parts[i].startsWith("0"))) {
        return null; // leading zeros read as octal by some parsers: refuse the ambiguity
      }
      bytes[i] = (byte) value;
    }
    return bytes;
  }

  private static byte[] ipv6(String text) {
    if (!text.matches("[0-9A-Fa-f:.]+") || text.contains(":::")) {
      return null;
    }
    byte[] tail = null;
    String groups = text;
    int lastColon = text.lastIndexOf(':');
    if (text.indexOf('.') > lastColon) {
      tail = ipv4(text.substring(lastColon + 1));
      if (tail == null) {
        return null;
      }
      groups = text.substring(0, lastColon + 1) + "0:0";
    }
    int gap = groups.indexOf("::");
    if (gap >= 0 && groups.indexOf("::", gap + 1) >= 0) {
      return null;
    }
    String[] head = gap < 0 ? groups.split(":", -1) : split(groups.substring(0, gap));
    String[] rest = gap < 0 ? new String[0] : split(groups.substring(gap + 2));
    int missing = 8 - head.length - rest.length;
    if ((gap < 0 && missing != 0) || (gap >= 0 && missing < 1)) {
      return null;
    }
    byte[] bytes = new byte[16];
    int index = 0;
    for (String[] part : new String[][] {head, rest}) {
      if (part == rest) {
        index += missing;
      }
      for (String group : part) {
        if (!group.matches("[0-9A-Fa-f]{1,4}")) {
          return null;
        }
        int value = Integer.parseInt(group, 16);
        bytes[index * 2] = (byte) (value >> 8);
        bytes[index * 2 + 1] = (byte) value;
        index++;
      }
    }
    if (tail != null) {
      System.arraycopy(tail, 0, bytes, 12, 4);
    }
    return bytes;
  }

  private static String[] split(String groups) {
    return groups.isEmpty() ? new String[0] : groups.split(":", -1);
  }

  /** True for IPv4, false for IPv6. */
  public boolean isIpv4() {
    return address.length == 4;
  }

  /** The first address's bytes (4 or 16). */
  public byte[] address() {
    return address.clone();
  }

  /** The prefix length: 0 to 32 (IPv4) or 128 (IPv6). */
  public int length() {
    return length;
  }

  /** The first address as an unsigned number. */
  public BigInteger first() {
    return new BigInteger(1, address);
  }

  /** The last address as an unsigned number. */
  public BigInteger last() {
    int hostBits = address.length * 8 - length;
    return first().add(BigInteger.ONE.shiftLeft(hostBits)).subtract(BigInteger.ONE);
  }

  /** {@code 10.0.0.0/8}, {@code 2001:db8::/32}: the address in its shortest form. */
  @Override
  public String toString() {
    return format(address) + "/" + length;
  }

  /** An address's text: dotted IPv4, or IPv6 with the longest run of zero groups as {@code ::}. */
  public static String format(byte[] bytes) {
    if (bytes.length == 4) {
      return (bytes[0] & 0xff)
          + "."
          + (bytes[1] & 0xff)
          + "."
          + (bytes[2] & 0xff)
          + "."
          + (bytes[3] & 0xff);
    }
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[i]));
    }
    return out.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IpPrefix
        && ((IpPrefix) o).length == length
        && Arrays.equals(((IpPrefix) o).address, address);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(address), length);
  }
}
