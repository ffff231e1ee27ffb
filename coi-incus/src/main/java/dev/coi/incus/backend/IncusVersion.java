package dev.coi.incus.backend;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Incus server version ({@code environment.server_version}: {@code "6.0.4"}, {@code "6.0"},
 * {@code "6.19.1"}), and whether it filters per NIC. The 6.0 LTS line gained working per-NIC ACLs
 * on bridges in 6.0.4 without a new API extension to tell it by, so there the version decides; on
 * every later feature release ({@code 6.1} on) the extensions {@link NetworkPreflight} checks are
 * the whole answer. Anything before 6.0 (the 0.x releases) is refused.
 */
record IncusVersion(int major, int minor, int patch) implements Comparable<IncusVersion> {
  /** The first release of the 6.0 line whose per-NIC ACLs coi relies on. */
  static final IncusVersion NIC_ACLS_ON_LTS = new IncusVersion(6, 0, 4);

  private static final Pattern VERSION =
      Pattern.compile("(\\d{1,4})\\.(\\d{1,4})(?:\\.(\\d{1,4}))?");

  /** The version in {@code text}; empty when it is not {@code MAJOR.MINOR[.PATCH]}. */
  static Optional<IncusVersion> parse(String text) {
    Matcher m = VERSION.matcher(text.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(
        new IncusVersion(
            Integer.parseInt(m.group(1)),
            Integer.parseInt(m.group(2)),
            m.group(3) == null ? 0 : Integer.parseInt(m.group(3))));
  }

  /**
   * Why {@code text} cannot carry per-NIC ACLs, as one clause naming the version and the one
   * needed; empty when it can (as far as the version tells: the extensions are checked apart).
   */
  static Optional<String> refusesNicAcls(String text) {
    Optional<IncusVersion> version = parse(text);
    if (version.isEmpty()) {
      return Optional.of(
          "Incus reports its version as '"
              + text
              + "', which coi cannot read, and per-NIC ACLs need Incus "
              + NIC_ACLS_ON_LTS
              + " or later");
    }
    if (version.get().compareTo(NIC_ACLS_ON_LTS) < 0) {
      return Optional.of(
          "Incus "
              + text.trim()
              + " is older than "
              + NIC_ACLS_ON_LTS
              + ", the first release whose per-NIC ACLs coi relies on: upgrade Incus");
    }
    return Optional.empty();
  }

  @Override
  public int compareTo(IncusVersion other) {
    int c = Integer.compare(major, other.major);
    if (c == 0) {
      c = Integer.compare(minor, other.minor);
    }
    return c != 0 ? c : Integer.compare(patch, other.patch);
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch;
  }
}
