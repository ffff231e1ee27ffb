package dev.coi.cli;

import dev.coi.api.BuildListener;
import dev.coi.api.BuildResult;
import dev.coi.api.BuildStep;
import dev.coi.api.CoiException;
import dev.coi.api.ImageBuild;
import dev.coi.api.ImageBuildException;
import dev.coi.api.Images;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code coi build sandbox|privileged|custom}: builds an image from a recipe, through {@link
 * Images#build}. coi's own recipes are {@code images/coi-sandbox/recipe.sh} and {@code
 * images/coi-privileged/recipe.sh} of the checkout the CLI runs from (or of {@code
 * COI_IMAGES_DIR}).
 */
@Command(
    name = "build",
    description =
        "Build an image from a recipe: a script run as root in a container of a base image, the"
            + " result published as NAME-YYYYMMDD-HHMMSS and named NAME. Skipped when up to date"
            + " (same recipe, same base).",
    subcommands = {
      BuildCommand.Sandbox.class,
      BuildCommand.Privileged.class,
      BuildCommand.Custom.class
    })
final class BuildCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "say what to build: sandbox, privileged or custom NAME --script FILE");
  }

  /** The options every build takes. */
  static final class Options {
    @Option(names = "--force", description = "Rebuild even when the image is up to date.")
    boolean force;

    // The global --format (json: alias, fingerprint, version_alias, skipped, seconds) and -q
    // (the recipe's output shown only when the build fails) apply too.
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec command;

    GlobalOptions global() {
      return GlobalOptions.of(command);
    }
  }

  @Command(name = "sandbox", description = "Build coi-sandbox (images/coi-sandbox/recipe.sh).")
  static final class Sandbox implements Callable<Integer> {
    @Mixin Options options;

    @Override
    public Integer call() {
      return build("coi-sandbox", recipe("coi-sandbox"), Optional.empty(), options);
    }
  }

  @Command(
      name = "privileged",
      description = "Build coi-privileged from coi-sandbox (images/coi-privileged/recipe.sh).")
  static final class Privileged implements Callable<Integer> {
    @Mixin Options options;

    @Override
    public Integer call() {
      return build("coi-privileged", recipe("coi-privileged"), Optional.empty(), options);
    }
  }

  @Command(name = "custom", description = "Build an image of your own from a recipe script.")
  static final class Custom implements Callable<Integer> {
    @Mixin Options options;

    @Parameters(index = "0", paramLabel = "NAME", description = "The image's name (its alias).")
    String name;

    @Option(
        names = "--script",
        required = true,
        paramLabel = "FILE",
        description = "The recipe: a script run as root in the build container.")
    Path script;

    @Option(
        names = "--base",
        paramLabel = "IMAGE",
        description = "The image to build on (default: the recipe's, else build.base, coi-base).")
    String base;

    @Override
    public Integer call() {
      return build(name, script, Optional.ofNullable(base), options);
    }
  }

  static int build(String name, Path script, Optional<String> base, Options options) {
    boolean json = options.global().json();
    BuildProgress progress =
        new BuildProgress(System.err, options.global().quiet, System.console() != null);
    ImageBuild.Builder build =
        ImageBuild.builder().name(name).script(script).force(options.force).listener(progress);
    base.ifPresent(build::base);
    BuildResult result;
    try {
      result = Images.build(build.build());
    } catch (ImageBuildException e) {
      progress.endLine();
      if (!e.lastOutput().isEmpty()) {
        System.err.println("coi build: the recipe's last output:");
        e.lastOutput().forEach(line -> System.err.println("  " + line));
      }
      throw e;
    }
    progress.endLine();
    double seconds = result.duration().toMillis() / 1000.0;
    if (json) {
      System.out.printf(
          Locale.ROOT,
          "{\"alias\":%s,\"fingerprint\":%s,\"version_alias\":%s,\"skipped\":%b,\"seconds\":%.3f}%n",
          quote(result.alias()),
          quote(result.fingerprint()),
          quote(result.versionAlias()),
          result.skipped(),
          seconds);
    } else if (result.skipped()) {
      System.out.printf(
          Locale.ROOT,
          "%s is up to date (%s, %s); --force rebuilds%n",
          result.alias(),
          result.versionAlias().isEmpty() ? "no version alias" : result.versionAlias(),
          result.fingerprint().substring(0, 12));
    } else {
      System.out.printf(
          Locale.ROOT,
          "built %s as %s (%s) in %.1f s%n",
          result.alias(),
          result.versionAlias(),
          result.fingerprint().substring(0, 12),
          seconds);
    }
    return ExitCodes.OK;
  }

  /** coi's recipe of an image, from {@code COI_IMAGES_DIR} or the checkout the CLI runs from. */
  static Path recipe(String image) {
    String dir = System.getenv("COI_IMAGES_DIR");
    Path images = dir != null && !dir.isEmpty() ? Path.of(dir) : checkoutImages();
    return images.resolve(image).resolve("recipe.sh");
  }

  /** {@code <checkout>/images}: the jar is {@code coi-cli/target/coi.jar} (or target/classes). */
  private static Path checkoutImages() {
    try {
      Path code =
          Path.of(BuildCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return code.toAbsolutePath().getParent().getParent().getParent().resolve("images");
    } catch (URISyntaxException | RuntimeException e) {
      throw new CoiException(
          "cannot tell where coi's recipes are: set COI_IMAGES_DIR to the images/ directory");
    }
  }

  /** A JSON string, escaped. */
  static String quote(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20) {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /**
   * Shows a build on stderr: each step on a line, the recipe's output (unless quiet), and on a
   * terminal the transfer progress of publishing, rewritten in place, with its rate.
   */
  static final class BuildProgress implements BuildListener {
    private final PrintStream err;
    private final boolean quiet;
    private final boolean terminal;
    private boolean midLine;
    private long since;
    private long doneAtStart;

    BuildProgress(PrintStream err, boolean quiet, boolean terminal) {
      this.err = err;
      this.quiet = quiet;
      this.terminal = terminal;
    }

    @Override
    public synchronized void step(BuildStep step, String detail) {
      endLine();
      since = System.nanoTime();
      doneAtStart = -1;
      err.println("coi build: " + step.label() + " " + detail);
    }

    @Override
    public synchronized void output(String line) {
      if (!quiet) {
        endLine();
        err.println("  " + line);
      }
    }

    @Override
    public synchronized void progress(long done, long total, String unit) {
      if (!terminal) {
        return;
      }
      if (doneAtStart < 0) {
        doneAtStart = done;
      }
      String text;
      if ("bytes".equals(unit)) {
        double seconds = Math.max(0.001, (System.nanoTime() - since) / 1e9);
        text =
            String.format(
                Locale.ROOT,
                "%.1f MiB at %.1f MiB/s",
                done / 1048576.0,
                (done - doneAtStart) / 1048576.0 / seconds);
      } else {
        text = done + (total > 0 ? " of " + total : "") + " " + unit;
      }
      err.print("\r  " + text + "   ");
      err.flush();
      midLine = true;
    }

    synchronized void endLine() {
      if (midLine) {
        err.println();
        midLine = false;
      }
    }
  }
}
