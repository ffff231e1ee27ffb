package dev.coi.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A global option given both before and after the command ({@code coi -e A=1 run -e B=2 …}).
 * picocli parses each command's part on its own, so the later part would silently replace the
 * earlier: a repeatable option ({@code -e}, {@code --mount}) keeps every value instead, in the
 * order given, a switch stays on, and an option with one value given twice with two values is a
 * usage error.
 */
final class RepeatedOptions {
  private RepeatedOptions() {}

  /** Reconciles what {@code parsed} matched on more than one level of its command chain. */
  static void reconcile(CommandLine.ParseResult parsed) {
    Map<String, List<OptionSpec>> matched = new LinkedHashMap<>();
    for (CommandLine.ParseResult level = parsed; level != null; level = level.subcommand()) {
      for (OptionSpec option : level.matchedOptions()) {
        matched.computeIfAbsent(option.longestName(), k -> new ArrayList<>()).add(option);
      }
    }
    for (List<OptionSpec> places : matched.values()) {
      if (places.size() > 1) {
        reconcile(places);
      }
    }
  }

  private static void reconcile(List<OptionSpec> places) {
    OptionSpec last = places.get(places.size() - 1);
    if (last.isMultiValue()) {
      last.setValue(merged(places, last.getValue()));
      return;
    }
    List<Object> first = places.get(0).typedValues();
    // A switch given twice says the same thing twice: picocli would have turned it off again.
    boolean isSwitch = last.arity().max() == 0;
    for (OptionSpec other : places) {
      if (!isSwitch && !Objects.equals(first, other.typedValues())) {
        throw new CommandLine.OverwrittenOptionException(
            last.command().commandLine(),
            last,
            last.longestName()
                + " was given twice, with different values ("
                + String.join(" and ", values(places))
                + "): give it once");
      }
    }
    last.setValue(first.get(0));
  }

  /** Every place's values, in order, in a collection of the kind the option holds. */
  @SuppressWarnings("unchecked")
  private static Object merged(List<OptionSpec> places, Object holder) {
    if (holder instanceof Map) {
      Map<Object, Object> all = new LinkedHashMap<>();
      places.forEach(p -> p.typedValues().forEach(v -> all.putAll((Map<Object, Object>) v)));
      return all;
    }
    List<Object> all = new ArrayList<>();
    for (OptionSpec place : places) {
      for (Object value : place.typedValues()) {
        if (value instanceof Collection<?> several) {
          all.addAll(several);
        } else {
          all.add(value);
        }
      }
    }
    return all;
  }

  private static List<String> values(List<OptionSpec> places) {
    List<String> values = new ArrayList<>();
    places.forEach(p -> values.addAll(p.originalStringValues()));
    return values;
  }
}
