package dev.coi.cli;

import dev.coi.api.CoiException;
import dev.coi.api.HostCheck;
import dev.coi.api.Sessions;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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

  @CommandLine.Option(
      names = "--fix",
      description =
          "As root (sudo coi doctor --fix): first add to /etc/subuid and /etc/subgid the root:ID:1"
              + " lines Incus needs to map the user who ran sudo and this directory's owner, then"
              + " check. Never restarts Incus; says when to.")
  boolean fix;

  @Override
  public Integer call() throws java.io.IOException {
    Output output = new Output(spec);
    if (fix) {
      fix(output);
    }
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

  /** Applies what doctor can fix by itself; refuses, changing nothing, when not root. */
  private static void fix(Output output) throws java.io.IOException {
    if (!Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))) {
      throw new CoiException(
          "coi doctor --fix edits /etc/subuid and /etc/subgid, which only root may: run it as"
              + " 'sudo coi doctor --fix'");
    }
    Map<String, String> env = System.getenv();
    Path here = Path.of("").toAbsolutePath();
    int owner = (Integer) Files.getAttribute(here, "unix:uid");
    int group = (Integer) Files.getAttribute(here, "unix:gid");
    List<String> added =
        new SubidFix(env).apply(SubidFix.uids(env, owner), SubidFix.gids(env, group));
    if (added.isEmpty()) {
      output.say("Nothing to fix in /etc/subuid and /etc/subgid.");
      return;
    }
    added.forEach(output::say);
    output.say(
        "Incus reads these files when it starts: if a session still cannot map these ids,"
            + " restart it (systemctl restart incus, or 'incus admin shutdown' and start incusd"
            + " again; running containers stop).");
  }
}
