package dev.coi.cli;

import dev.coi.api.ImageInfo;
import dev.coi.api.Sessions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code coi images [--all]}: coi's images (an alias starting with {@code coi-}), or all. */
@Command(
    name = "images",
    description = "List coi's images (aliases coi-*); with --all every local image.")
final class ImagesCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-a", "--all"},
      description = "Every image the daemon holds.")
  boolean all;

  @Override
  public Integer call() {
    Output output = new Output(spec);
    List<ImageInfo> images = new ArrayList<>();
    for (ImageInfo image : Sessions.images()) {
      if (all || image.isCoi()) {
        images.add(image);
      }
    }
    if (output.json()) {
      List<Object> json = new ArrayList<>();
      for (ImageInfo image : images) {
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("aliases", image.aliases());
        one.put("fingerprint", image.fingerprint());
        one.put("size", image.size());
        one.put("description", image.description().orElse(""));
        json.add(one);
      }
      output.printJson(json);
      return ExitCodes.OK;
    }
    if (images.isEmpty()) {
      output.say(
          all
              ? "No images."
              : "No coi images: build one with images/setup-host.sh; 'coi images --all' lists all.");
      return ExitCodes.OK;
    }
    List<List<String>> rows = new ArrayList<>();
    for (ImageInfo image : images) {
      rows.add(
          List.of(
              image.aliases().isEmpty() ? "-" : String.join(",", image.aliases()),
              image.fingerprint().substring(0, Math.min(12, image.fingerprint().length())),
              String.format("%.1f MiB", image.size() / (1024.0 * 1024)),
              image.description().orElse("")));
    }
    output.table(List.of("ALIAS", "FINGERPRINT", "SIZE", "DESCRIPTION"), rows);
    return ExitCodes.OK;
  }
}
