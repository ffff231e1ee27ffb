package dev.coi.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code coi completion bash|zsh|fish}: a completion script for the shell, on stdout. Bash and zsh
 * share picocli's generated script (zsh runs it through {@code bashcompinit}); fish gets one made
 * here from the same command tree.
 */
@Command(
    name = "completion",
    description =
        "Print a shell completion script: bash (source <(coi completion bash)), zsh (the same in"
            + " .zshrc), fish (coi completion fish | source).")
final class CompletionCommand implements Callable<Integer> {
  enum Shell {
    bash,
    zsh,
    fish
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** What the scripts complete dynamically, asked of coi itself while the user presses Tab. */
  enum Listing {
    containers,
    sessions,
    profiles
  }

  @Parameters(arity = "0..1", paramLabel = "bash|zsh|fish", description = "The shell.")
  Shell shell;

  @CommandLine.Option(
      names = "--list",
      hidden = true,
      description = "For the scripts: the container names, session ids or profiles, one a line.")
  Listing list;

  @Override
  public Integer call() {
    CommandLine root = spec.root().commandLine();
    PrintWriter out = spec.commandLine().getOut();
    if (list != null) {
      CompletionLists.print(list, GlobalOptions.of(spec), out);
      return ExitCodes.OK;
    }
    if (shell == null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "Missing parameter: give bash, zsh or fish");
    }
    if (shell == Shell.fish) {
      out.print(fish(root));
    } else {
      if (shell == Shell.zsh) {
        out.println("autoload -U +X compinit && compinit");
        out.println("autoload -U +X bashcompinit && bashcompinit");
      }
      out.print(AutoComplete.bash("coi", root));
      out.print(DYNAMIC);
    }
    out.flush();
    return ExitCodes.OK;
  }

  /**
   * Container names (and session ids for {@code info}) for the commands that take them, asked of
   * coi itself ({@code coi list --all --format json}) when a name is being completed; everything
   * else is picocli's.
   */
  static final String DYNAMIC =
      String.join(
          "\n",
          "",
          "# Container names and session ids, from 'coi list --all --format json'.",
          "function _coi_dynamic() {",
          "  _complete_coi \"$@\"",
          "  local cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]} field=name",
          "  if [[ ${COMP_WORDS[COMP_CWORD-1]} == --profile ]]; then",
          "    COMPREPLY=( $(compgen -W \"$(\"${COMP_WORDS[0]}\" completion --list profiles"
              + " 2>/dev/null)\" -- \"$cur\") )",
          "    return",
          "  fi",
          "  [[ $cur == -* ]] && return",
          "  case $cmd in",
          "    kill|shutdown|persist) ;;",
          "    tmux) (( COMP_CWORD >= 3 )) || return ;;",
          "    info) field='name\\|id\\|ID' ;;",
          "    *) return ;;",
          "  esac",
          "  local names",
          "  names=$(\"${COMP_WORDS[0]}\" list --all --format json 2>/dev/null \\",
          "    | sed -n \"s/^ *\\\"\\($field\\)\\\" : \\\"\\([^\\\"]*\\)\\\".*/\\2/p\")",
          "  COMPREPLY+=( $(compgen -W \"$names\" -- \"$cur\") )",
          "}",
          "complete -F _coi_dynamic -o default coi",
          "");

  /**
   * Container names, session ids and profiles, asked of the coi being completed ({@code coi
   * completion --list …}) when one is being completed; fish shows the description after the tab.
   */
  static final String FISH_DYNAMIC =
      String.join(
          "\n",
          "function __coi_list",
          "    set -l coi (commandline -opc)[1]",
          "    $coi completion --list $argv 2>/dev/null",
          "end",
          "complete -c coi -n '__fish_seen_subcommand_from kill shutdown persist attach'"
              + " -a '(__coi_list containers)'",
          "complete -c coi -n '__fish_seen_subcommand_from tmux; and __fish_seen_subcommand_from"
              + " send capture list'"
              + " -a '(__coi_list containers)'",
          "complete -c coi -n '__fish_seen_subcommand_from info' -a '(__coi_list containers)'",
          "complete -c coi -n '__fish_seen_subcommand_from info' -a '(__coi_list sessions)'",
          "complete -c coi -l resume -x -a '(__coi_list sessions)'",
          "complete -c coi -l profile -x -a '(__coi_list profiles)'",
          "");

  /** Commands, their subcommands and options, as fish's {@code complete} lines. */
  static String fish(CommandLine root) {
    StringBuilder script = new StringBuilder("complete -c coi -f\n");
    for (CommandLine.Model.OptionSpec option : root.getCommandSpec().options()) {
      script.append(fishOption("__fish_use_subcommand", option));
    }
    for (CommandLine sub : root.getSubcommands().values()) {
      String name = sub.getCommandName();
      script
          .append("complete -c coi -n __fish_use_subcommand -a ")
          .append(name)
          .append(" -d ")
          .append(quote(first(sub.getCommandSpec().usageMessage().description())))
          .append('\n');
      String seen = "'__fish_seen_subcommand_from " + name + "'";
      for (CommandLine subsub : sub.getSubcommands().values()) {
        script
            .append("complete -c coi -n ")
            .append(seen)
            .append(" -a ")
            .append(subsub.getCommandName())
            .append('\n');
      }
      for (CommandLine.Model.OptionSpec option : sub.getCommandSpec().options()) {
        if (!option.inherited()) {
          script.append(fishOption(seen, option));
        }
      }
    }
    return script.append(FISH_DYNAMIC).toString();
  }

  private static String fishOption(String condition, CommandLine.Model.OptionSpec option) {
    StringBuilder line = new StringBuilder("complete -c coi -n " + condition);
    for (String name : option.names()) {
      line.append(name.startsWith("--") ? " -l " + name.substring(2) : " -s " + name.substring(1));
    }
    if (option.arity().max() > 0) {
      line.append(" -r");
    }
    return line.append(" -d ").append(quote(first(option.description()))).append('\n').toString();
  }

  private static String first(String[] description) {
    if (description.length == 0) {
      return "";
    }
    String text = description[0];
    int stop = text.indexOf(". ");
    return stop < 0 ? text : text.substring(0, stop + 1);
  }

  private static String quote(String text) {
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
