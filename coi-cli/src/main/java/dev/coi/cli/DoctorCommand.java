package dev.coi.cli;

import dev.coi.api.HostCheck;
import dev.coi.api.Sessions;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code coi doctor}: what sessions need of this machine, and what to fix. */
@Command(
    name = "doctor",
    description =
        "Check what sessions need: the configuration, the Incus daemon (version, API extensions,"
            + " trust), storage pools, idmapped mounts, the /etc/subuid and /etc/subgid lines for"
            + " this directory's owner, coi's images, free disk. Exit 1 when something is wrong.")
final class DoctorCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Output output = new Output(spec);
    List<HostCheck> checks = Sessions.checkHost();
    boolean failed = checks.stream().anyMatch(c -> c.status() == HostCheck.Status.FAILED);
    if (output.json()) {
      List<Object> json = new ArrayList<>();
      for (HostCheck c : checks) {
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("name", c.name());
        one.put("status", c.status().name().toLowerCase(java.util.Locale.ROOT));
        one.put("detail", c.detail());
        one.put("fix", c.fix().orElse(null));
        json.add(one);
      }
      output.printJson(json);
    } else {
      PrintWriter out = output.out();
      for (HostCheck c : checks) {
        String mark =
            c.status() == HostCheck.Status.OK
                ? "[ok]  "
                : c.status() == HostCheck.Status.WARNING ? "[warn]" : "[FAIL]";
        out.println(mark + " " + c.name() + ": " + c.detail());
        c.fix().ifPresent(fix -> out.println("       fix: " + fix));
      }
      out.println(failed ? "Something is wrong: see [FAIL] above." : "Ready for sessions.");
      out.flush();
    }
    return failed ? ExitCodes.FAILED : ExitCodes.OK;
  }
}
