package dev.coi.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs fixture classes (static nested classes of the ITs, which Failsafe itself never runs) through
 * the JUnit launcher, as a build would, and keeps every outcome, skip reason and report entry. Its
 * {@code main} does the same in a JVM of its own and prints one line per outcome.
 */
final class FixtureRun implements TestExecutionListener {
  /** One test or class that finished or was skipped. */
  record Outcome(String name, String status, Optional<Throwable> failure, String reason) {}

  final List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
  final List<ReportEntry> reports = Collections.synchronizedList(new ArrayList<>());

  static FixtureRun of(Map<String, String> configuration, Class<?>... classes) {
    LauncherDiscoveryRequest request =
        LauncherDiscoveryRequestBuilder.request()
            .selectors(Arrays.stream(classes).map(c -> selectClass(c)).toList())
            .configurationParameters(configuration)
            .build();
    FixtureRun run = new FixtureRun();
    LauncherFactory.create().execute(request, run);
    return run;
  }

  static FixtureRun of(Class<?>... classes) {
    return of(Map.of(), classes);
  }

  @Override
  public void executionFinished(TestIdentifier id, TestExecutionResult result) {
    outcomes.add(
        new Outcome(id.getDisplayName(), result.getStatus().name(), result.getThrowable(), ""));
  }

  @Override
  public void executionSkipped(TestIdentifier id, String reason) {
    outcomes.add(new Outcome(id.getDisplayName(), "SKIPPED", Optional.empty(), reason));
  }

  @Override
  public void reportingEntryPublished(TestIdentifier id, ReportEntry entry) {
    reports.add(entry);
  }

  /** The outcomes of tests (methods), not of classes or the engine. */
  List<Outcome> tests() {
    synchronized (outcomes) {
      return outcomes.stream().filter(o -> o.name().endsWith(")")).toList();
    }
  }

  List<Outcome> withStatus(String status) {
    synchronized (outcomes) {
      return outcomes.stream().filter(o -> o.status().equals(status)).toList();
    }
  }

  /** Runs the class named by the first argument and prints each outcome as one line. */
  public static void main(String[] args) throws ClassNotFoundException {
    FixtureRun run = of(Class.forName(args[0]));
    for (Outcome o : run.outcomes) {
      System.out.println(
          o.status()
              + " "
              + o.name()
              + " "
              + o.reason()
              + o.failure().map(t -> t.getMessage()).orElse(""));
    }
  }
}
