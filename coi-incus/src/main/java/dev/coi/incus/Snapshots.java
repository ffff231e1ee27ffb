package dev.coi.incus;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Snapshots of instances: take, list, restore and delete. Each call waits for the daemon's
 * operation to finish. Snapshots are not stateful: a restore brings back the file system, and a
 * running instance keeps running on it.
 *
 * <pre>{@code
 * Snapshots snapshots = client.snapshots();
 * snapshots.create("demo", "clean");
 * // ... the agent breaks things ...
 * snapshots.restore("demo", "clean");
 * snapshots.delete("demo", "clean");
 * }</pre>
 */
public final class Snapshots {
  private final Rest rest;

  Snapshots(Rest rest) {
    this.rest = rest;
  }

  public void create(String instance, String name) {
    rest.runOperation(
        "POST", snapshots(instance), Rest.object().put("name", name), Instances.TIMEOUT);
  }

  /** The instance's snapshots, oldest first. */
  public List<Snapshot> list(String instance) {
    List<Snapshot> result = new ArrayList<>();
    for (JsonNode snapshot : rest.get(snapshots(instance) + "?recursion=1")) {
      result.add(Snapshot.of(snapshot));
    }
    result.sort(Comparator.comparing(Snapshot::created));
    return result;
  }

  /** Puts the instance's file system back as it was in the snapshot. */
  public void restore(String instance, String name) {
    // A missing snapshot fails the restore operation as a 500 "does not exist"; asking first
    // gives a proper 404.
    rest.get(snapshot(instance, name));
    rest.runOperation(
        "PUT", Instances.path(instance), Rest.object().put("restore", name), Instances.TIMEOUT);
  }

  public void delete(String instance, String name) {
    rest.runOperation("DELETE", snapshot(instance, name), null, Instances.TIMEOUT);
  }

  private static String snapshots(String instance) {
    return Instances.path(instance) + "/snapshots";
  }

  private static String snapshot(String instance, String name) {
    return snapshots(instance) + "/" + Rest.encode(name);
  }
}
