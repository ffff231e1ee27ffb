package dev.coi.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IpPrefixTest {
  @Test
  void parsesAndPrintsBothFamilies() throws Exception {
    assertEquals("10.0.0.0/8", IpPrefix.parse("10.1.2.3/8").toString());
    assertEquals("1.2.3.4/32", IpPrefix.parse(" 1.2.3.4 ").toString());
    assertEquals("fc00::/7", IpPrefix.parse("fd00::/7").toString());
    assertEquals("::ffff:a00:1/128", IpPrefix.parse("::ffff:10.0.0.1").toString());
    assertEquals("64:ff9b::a00:0/104", IpPrefix.parse("64:ff9b::10.0.0.0/104").toString());
    assertEquals("::/0", IpPrefix.parse("::/0").toString());
    assertEquals("1::/128", IpPrefix.parse("1::").toString());
    assertEquals("::1/128", IpPrefix.parse("::1").toString());
    assertEquals("1:0:0:1::/128", IpPrefix.parse("1:0:0:1:0:0:0:0").toString());
  }

  /** Random IPv6 addresses in the JDK's full form parse to the JDK's bytes and back. */
  @Test
  void agreesWithTheJdkOnRandomLiterals() throws Exception {
    Random random = new Random(1);
    for (int i = 0; i < 5000; i++) {
      byte[] bytes = new byte[random.nextBoolean() ? 4 : 16];
      random.nextBytes(bytes);
      if (bytes.length == 16 && random.nextBoolean()) {
        for (int j = 2 * random.nextInt(8), k = random.nextInt(8); k > 0 && j < 16; k--, j++) {
          bytes[j] = 0;
        }
      }
      String jdk = InetAddress.getByAddress(bytes).getHostAddress();
      IpPrefix parsed = IpPrefix.parse(jdk);
      assertTrue(java.util.Arrays.equals(bytes, parsed.address()), jdk);
      assertTrue(
          java.util.Arrays.equals(bytes, IpPrefix.parse(IpPrefix.format(bytes)).address()), jdk);
    }
  }

  @Test
  void refusesHostNamesAndMalformedBlocksWithoutLookingThemUp() {
    for (String bad :
        new String[] {
          "example.com",
          "10.0.0.256",
          "10.0.0",
          "010.0.0.1",
          "1.2.3.4/33",
          "::/129",
          "1:::2",
          "1::2::3",
          "1:2:3:4:5:6:7:8:9",
          "1:2:3:4:5:6:7",
          "fe80::1%eth0",
          "10.0.0.0/x",
          ""
        }) {
      InvalidSpecException e =
          assertThrows(InvalidSpecException.class, () -> IpPrefix.parse(bad), bad);
      assertTrue(e.getMessage().contains("203.0.113.0/24"), e.getMessage());
    }
  }
}
