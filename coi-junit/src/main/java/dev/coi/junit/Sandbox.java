package dev.coi.junit;

import dev.coi.api.Session;
import dev.coi.api.SessionSpec;
import dev.coi.hostfs.HostTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One started sandbox, held in a JUnit extension store: the store closes it when its scope (test,
 * class or run) ends, whatever the outcome. Closing ends the session, then deletes a fresh
 * workspace. Closed by JUnit both as an {@link AutoCloseable} (JUnit 5.13 and later) and as a
 * {@code CloseableResource} (earlier); closing twice does nothing.
 */
@SuppressWarnings("deprecation") // CloseableResource: for JUnit before 5.13
final class Sandbox implements AutoCloseable, ExtensionContext.Store.CloseableResource {
  private final RecordingSession session;
  private final Optional<Path> freshDirectory;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Sandbox(RecordingSession session, Optional<Path> freshDirectory) {
    this.session = session;
    this.freshDirectory = freshDirectory;
  }

  /** Starts a sandbox for a recipe; nothing is left behind when the start fails. */
  static Sandbox start(SandboxRecipe recipe, Map<String, String> labels) {
    Optional<Path> fresh = Optional.empty();
    try {
      if (recipe.needsFreshDirectory()) {
        fresh = Optional.of(Files.createTempDirectory("coi-junit-").toRealPath());
      }
      SessionSpec spec = recipe.spec(fresh.orElse(null), labels);
      return new Sandbox(new RecordingSession(spec.start()), fresh);
    } catch (IOException e) {
      fresh.ifPresent(Sandbox::deleteQuietly);
      throw new UncheckedIOException("cannot make a sandbox's workspace: " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      fresh.ifPresent(Sandbox::deleteQuietly);
      throw e;
    }
  }

  Session session() {
    return session;
  }

  /** The container's name and the end of its commands' output, for a failure report. */
  String report() {
    StringBuilder text = new StringBuilder("coi sandbox ").append(session.name());
    List<String> lines = session.tail().lastLines();
    if (lines.isEmpty()) {
      return text.append(" (no command ran)").toString();
    }
    text.append(", last lines of its commands' output:");
    lines.forEach(line -> text.append("\n  ").append(line));
    return text.toString();
  }

  String name() {
    return session.name();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      session.close();
    } finally {
      freshDirectory.ifPresent(Sandbox::deleteQuietly);
    }
  }

  /**
   * The container wrote into the workspace as it liked (links included): deleted through
   * coi-hostfs, which never follows a link out of it.
   */
  private static void deleteQuietly(Path directory) {
    try {
      HostTrees.delete(directory);
    } catch (IOException | RuntimeException e) {
      System.getLogger(Sandbox.class.getName())
          .log(System.Logger.Level.WARNING, "cannot delete the sandbox workspace " + directory, e);
    }
  }
}
