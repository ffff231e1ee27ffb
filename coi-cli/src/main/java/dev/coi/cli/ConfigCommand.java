package dev.coi.cli;

import dev.coi.api.ConfigSetting;
import dev.coi.api.Sessions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code coi config show}: the effective configuration and where each value came from. */
@Command(
    name = "config",
    description = "Show the configuration.",
    subcommands = {ConfigCommand.Show.class})
final class ConfigCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: give show");
  }

  /** Lines longer than this do not push every origin to the right. */
  private static final int WIDEST_ALIGNED = 60;

  private static String line(ConfigSetting s) {
    return s.key() + s.value().map(v -> " = " + v).orElse(" is not set");
  }

  /** {@code coi config show}. */
  @Command(
      name = "show",
      description =
          "Print every configuration key of the workspace (-w, default: the current directory),"
              + " its effective value, and the layer it came from.")
  static final class Show implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      Output output = new Output(spec);
      List<ConfigSetting> settings = Sessions.configuration(output.options.workspace());
      if (output.json()) {
        List<Object> json = new ArrayList<>();
        for (ConfigSetting s : settings) {
          Map<String, Object> one = new LinkedHashMap<>();
          one.put("key", s.key());
          one.put("value", s.value().orElse(null));
          one.put("origin", s.origin().orElse(null));
          json.add(one);
        }
        output.printJson(json);
        return ExitCodes.OK;
      }
      // As Config.describe() prints it: TOML-like lines, the origin aligned after the short ones.
      int width = 0;
      for (ConfigSetting s : settings) {
        int length = line(s).length();
        if (length <= WIDEST_ALIGNED) {
          width = Math.max(width, length);
        }
      }
      java.io.PrintWriter out = output.out();
      int column = width;
      for (ConfigSetting s : settings) {
        String text = line(s);
        out.println(
            s.origin()
                .map(
                    o -> text + " ".repeat(Math.max(column - text.length(), 0) + 3) + "(" + o + ")")
                .orElse(text));
      }
      out.flush();
      return ExitCodes.OK;
    }
  }
}
