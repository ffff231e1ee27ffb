package dev.coi.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.coi.api.SessionInfo;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * How data commands print: data on stdout (a table or JSON), messages on stderr and only without
 * {@code --quiet}. JSON is built from plain maps and lists, so that its field names are written
 * here, once, and documented in docs/CLI.md.
 */
final class Output {
  /** The Go coi's time format in text and JSON ({@code 2006-01-02 15:04:05}, local time). */
  static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

  final CommandLine.Model.CommandSpec spec;
  final GlobalOptions options;

  Output(CommandLine.Model.CommandSpec spec) {
    this.spec = spec;
    this.options = GlobalOptions.of(spec);
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  boolean json() {
    return options.json();
  }

  /** A message for people, on stderr, unless {@code --quiet}. */
  void say(String message) {
    if (!options.quiet) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(message);
      err.flush();
    }
  }

  /** One line {@code coi: …} on stderr, whatever {@code --quiet} says. */
  void error(String message) {
    PrintWriter err = spec.commandLine().getErr();
    err.println("coi: " + message);
    err.flush();
  }

  /** Prints a JSON value (maps, lists, strings, numbers, booleans, null), indented. */
  void printJson(Object value) {
    try {
      out()
          .println(
              new ObjectMapper()
                  .enable(SerializationFeature.INDENT_OUTPUT)
                  .writeValueAsString(value));
      out().flush();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  static String time(Instant instant) {
    return TIME.format(instant);
  }

  /** A session as the JSON of {@code coi info} and {@code coi list}. */
  static Map<String, Object> session(SessionInfo s) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", s.id());
    json.put("name", s.container());
    json.put("status", status(s));
    json.put("persistent", s.persistent());
    json.put("workspace", s.workspace().toString());
    json.put("slot", s.slot());
    json.put("created_at", time(s.created()));
    json.put("saved_at", s.saved().map(Output::time).orElse(null));
    json.put("resumed_from", s.resumedFrom().orElse(null));
    json.put("labels", s.labels());
    json.put("network", s.network().map(Output::networkJson).orElse(null));
    return json;
  }

  /** {@code {"mode": asked, "effective": got, "addresses": [allowlist's blocks now]}}. */
  static Map<String, Object> networkJson(dev.coi.api.NetworkStatus n) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("mode", n.requested().configName());
    json.put("effective", n.effective().configName());
    json.put("addresses", n.addresses());
    return json;
  }

  /** {@code allowlist}, or {@code none (asked: restricted)} when the session got another mode. */
  static String network(dev.coi.api.NetworkStatus n) {
    return n.effective().configName()
        + (n.effective() == n.requested() ? "" : " (asked: " + n.requested().configName() + ")");
  }

  /** The Go coi's status words: Incus's {@code Running}, {@code Stopped}; {@code Saved}. */
  static String status(SessionInfo s) {
    switch (s.state()) {
      case RUNNING:
        return "Running";
      case STOPPED:
        return "Stopped";
      default:
        return "Saved";
    }
  }

  static String mode(SessionInfo s) {
    return s.persistent() ? "persistent" : "ephemeral";
  }

  /** Columns padded to the widest cell, two spaces apart; the last column is not padded. */
  void table(List<String> header, List<List<String>> rows) {
    int[] width = new int[header.size()];
    for (List<String> row : concat(header, rows)) {
      for (int i = 0; i < row.size(); i++) {
        width[i] = Math.max(width[i], row.get(i).length());
      }
    }
    for (List<String> row : concat(header, rows)) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        line.append(row.get(i));
        if (i < row.size() - 1) {
          line.append(" ".repeat(width[i] - row.get(i).length() + 2));
        }
      }
      out().println(line.toString().stripTrailing());
    }
    out().flush();
  }

  private static List<List<String>> concat(List<String> header, List<List<String>> rows) {
    List<List<String>> all = new java.util.ArrayList<>();
    all.add(header);
    all.addAll(rows);
    return all;
  }
}
