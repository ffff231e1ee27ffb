package dev.coi.incus.backend;

import java.util.List;

/**
 * The seccomp rules that keep the setuid and setgid bits off every file a container makes, as
 * {@code security.syscalls.deny} lines: Incus appends them to its own deny list (its default rules
 * and the mknod/setxattr interception stay), and LXC compiles them for every ABI of the host.
 *
 * <p>Each call that sets a mode is refused with EPERM when the mode has {@code S_ISUID} (04000) or
 * {@code S_ISGID} (02000): the chmod family and the calls that create a file, a directory or a node
 * with a mode. Two calls cannot be filtered on their mode and are refused whole with ENOSYS, which
 * makes the C library fall back to the calls above: {@code openat2} (its mode is in a struct
 * seccomp cannot read) and {@code io_uring_setup} (io_uring requests open files without passing
 * through seccomp). Measured on Incus 6.0.4 with kernel 6.x (docs/SECURITY.md, section 3).
 */
final class SetidFilter {
  /** The Incus config key the rules go in. */
  static final String KEY = "security.syscalls.deny";

  private static final int EPERM = 1;
  private static final int ENOSYS = 38;
  private static final int S_ISUID = 04000;
  private static final int S_ISGID = 02000;

  /** Each call that takes a mode, with the index of its mode argument. */
  private record ModeCall(String name, int modeArgument) {}

  private static final List<ModeCall> MODE_CALLS =
      List.of(
          new ModeCall("chmod", 1),
          new ModeCall("fchmod", 1),
          new ModeCall("fchmodat", 2),
          new ModeCall("fchmodat2", 2),
          new ModeCall("creat", 1),
          // The mode of open and openat counts only with O_CREAT or O_TMPFILE, and the C library
          // passes 0 otherwise: filtering on the mode alone also covers O_TMPFILE.
          new ModeCall("open", 2),
          new ModeCall("openat", 3),
          new ModeCall("mkdir", 1),
          new ModeCall("mkdirat", 2),
          // mknod makes regular files too; Incus's interception of device nodes is unaffected.
          new ModeCall("mknod", 1),
          new ModeCall("mknodat", 2));

  private static final List<String> REFUSED_WHOLE = List.of("openat2", "io_uring_setup");

  /** The value of {@link #KEY}: one LXC seccomp rule per line. */
  static final String RULES = rules();

  private SetidFilter() {}

  private static String rules() {
    StringBuilder rules = new StringBuilder();
    for (ModeCall call : MODE_CALLS) {
      for (int bit : new int[] {S_ISUID, S_ISGID}) {
        // LXC's argument syntax: [index, value, operator, mask]; masked equality means
        // (argument & mask) == value. One rule per bit: the comparisons of one rule are ANDed.
        rules
            .append(call.name())
            .append(" errno ")
            .append(EPERM)
            .append(" [")
            .append(call.modeArgument())
            .append(',')
            .append(bit)
            .append(",SCMP_CMP_MASKED_EQ,")
            .append(bit)
            .append("]\n");
      }
    }
    for (String call : REFUSED_WHOLE) {
      rules.append(call).append(" errno ").append(ENOSYS).append('\n');
    }
    return rules.toString();
  }
}
