package dev.coi.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.ConfigException;
import dev.coi.api.Mount;
import dev.coi.api.SessionSpec;
import dev.coi.api.Sessions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Any combination of layers gives what applying them one by one, lowest first, gives: random files,
 * variables, profiles and specs, against a model of the rules that knows nothing of the loader but
 * "a later source replaces what it mentions".
 */
class ConfigLayeringPropertyTest {
  private static final long SEED = 20261127L;
  private static final int ITERATIONS = 1000;

  /** The keys drawn from: every type, sections with short environment forms and without. */
  private static final List<Key> POOL =
      List.of(
          Key.IMAGE,
          Key.PRIVILEGED,
          Key.PERSISTENT,
          Key.MOUNT_CLAUDE_CONFIG,
          Key.SLOTS,
          Key.CONTAINER_PREFIX,
          Key.SESSIONS_DIR,
          Key.STORAGE_DIR,
          Key.AGENT_RESUME_FLAG,
          Key.AGENT_COMMAND,
          Key.AGENT_ARGS,
          Key.LIMITS_CPU,
          Key.LIMITS_MEMORY);

  private static final List<String> TARGETS = List.of("/m1", "/m2", "/m3");
  private static final List<String> VARIABLES = List.of("A", "B", "C");
  private static final List<String> PROFILES = List.of("p", "q");

  @TempDir Path root;
  private final Random random = new Random(SEED);
  private Path home;
  private Path workspace;

  /** What one source says, as the model sees it: describe() names to typed values. */
  private static final class Source {
    final String origin;
    final Map<String, Object> values = new LinkedHashMap<>();
    final List<String> toml = new ArrayList<>();
    final Map<String, String> variables = new LinkedHashMap<>();

    Source(String origin) {
      this.origin = origin;
    }
  }

  @Test
  void anyCombinationOfLayersEqualsApplyingThemOneByOneInOrder() throws IOException {
    home = Files.createDirectories(root.resolve("home"));
    Path etc = root.resolve("etc/config.toml");
    Path user = home.resolve(".config/claude-on-incus/config.toml");
    for (int i = 0; i < ITERATIONS; i++) {
      workspace = Files.createDirectories(root.resolve("ws" + i));
      Path project = workspace.resolve(ConfigLoader.PROJECT_FILE);
      Map<Path, String> kinds = new LinkedHashMap<>();
      kinds.put(etc, "system");
      kinds.put(user, "user");
      kinds.put(project, "project");

      List<Source> sources = new ArrayList<>();
      Map<String, List<Source>> profileSources = new TreeMap<>();
      for (Map.Entry<Path, String> file : kinds.entrySet()) {
        Files.deleteIfExists(file.getKey());
        if (random.nextInt(4) == 0) {
          continue; // This layer is absent.
        }
        String label = file.getValue() + " file " + file.getKey();
        Source base = fileSource(label, "", file.getKey().getParent());
        List<String> text = new ArrayList<>(base.toml);
        for (String profile : PROFILES) {
          if (random.nextBoolean()) {
            Source p =
                fileSource(
                    "profile " + profile + ", " + label,
                    "profiles." + profile + ".",
                    file.getKey().getParent());
            text.add("[profiles." + profile + "]");
            text.addAll(p.toml);
            profileSources.computeIfAbsent(profile, k -> new ArrayList<>()).add(p);
          }
        }
        Files.createDirectories(file.getKey().getParent());
        Files.writeString(file.getKey(), String.join("\n", text) + "\n");
        sources.add(base);
      }
      Source environment = environmentSource();
      // Trusted, so that the workspace's file may set every key (WorkspacePolicyTest checks when
      // it may not).
      environment.variables.put(Key.TRUSTED_WORKSPACES.environmentVariable(), workspace.toString());
      environment.values.put(Key.TRUSTED_WORKSPACES.dotted(), List.of(workspace));
      sources.add(environment);

      String profile = List.of("", "p", "q", "undefined").get(random.nextInt(4));
      sources.addAll(profileSources.getOrDefault(profile, List.of()));
      Source explicit = new Source("flag or builder call");
      SessionSpec spec = spec(explicit, profile);
      sources.add(explicit);

      ConfigLoader loader =
          ConfigLoader.builder()
              .systemFile(etc)
              .userFile(user)
              .environment(environment.variables)
              .home(home)
              .workingDirectory(root)
              .build();
      String context = "iteration " + i + ", profile '" + profile + "'";
      if (!profile.isEmpty() && !profileSources.containsKey(profile)) {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.load(spec), context);
        assertTrue(e.getMessage().startsWith("unknown profile '" + profile + "'"), e.getMessage());
        continue;
      }
      check(loader.load(spec), sources, context);
    }
  }

  @Test
  void applyingLayersIsAssociative() throws IOException {
    home = Files.createDirectories(root.resolve("home"));
    for (int i = 0; i < ITERATIONS; i++) {
      List<Layer> layers = new ArrayList<>();
      for (int j = 0; j < 3; j++) {
        Path file = root.resolve("layer" + j + ".toml");
        List<String> text = new ArrayList<>(fileSource("", "", root).toml);
        for (String profile : PROFILES) {
          if (random.nextBoolean()) {
            text.add("[profiles." + profile + "]");
            text.addAll(fileSource("", "profiles." + profile + ".", root).toml);
          }
        }
        Files.writeString(file, String.join("\n", text) + "\n");
        layers.add(TomlLayer.read(file, "user", home));
      }
      Layer a = layers.get(0);
      Layer b = layers.get(1);
      Layer c = layers.get(2);
      assertEquals(c.over(b.over(a)), c.over(b).over(a), "iteration " + i);
      assertEquals(a, Layer.EMPTY.over(a), "iteration " + i);
      assertEquals(a, a.over(Layer.EMPTY), "iteration " + i);
    }
  }

  /** The model: start from the built-ins, then each source replaces the names it mentions. */
  private void check(Config config, List<Source> sources, String context) {
    Map<String, Object> expected = new LinkedHashMap<>();
    Map<String, String> origins = new LinkedHashMap<>();
    ConfigLoader.builder()
        .home(home)
        .build()
        .load()
        .settings()
        .forEach(
            (name, setting) -> {
              expected.put(name, setting.value());
              origins.put(name, setting.origin());
            });
    for (Source source : sources) {
      for (Map.Entry<String, Object> value : source.values.entrySet()) {
        expected.put(value.getKey(), value.getValue());
        origins.put(value.getKey(), source.origin);
      }
    }
    Map<String, Object> actual =
        config.settings().entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().value()));
    assertEquals(new TreeMap<>(expected), new TreeMap<>(actual), context);
    config
        .settings()
        .forEach(
            (name, setting) ->
                assertTrue(
                    setting.origin().startsWith(origins.get(name)),
                    context
                        + ": "
                        + name
                        + " from "
                        + setting.origin()
                        + ", not "
                        + origins.get(name)));

    // The typed view says the same as the settings.
    assertEquals(expected.get("defaults.image"), config.defaults().image(), context);
    assertEquals(expected.get("defaults.slots"), config.defaults().slots(), context);
    assertEquals(expected.get("defaults.persistent"), config.defaults().persistent(), context);
    assertEquals(expected.get("agent.args"), config.agent().args(), context);
    assertEquals(
        expected.entrySet().stream()
            .filter(e -> e.getKey().startsWith("mounts["))
            .map(Map.Entry::getValue)
            .sorted((a, b) -> ((Mount) a).target().compareTo(((Mount) b).target()))
            .collect(Collectors.toList()),
        config.mounts(),
        context);
    assertEquals(
        expected.entrySet().stream()
            .filter(e -> e.getKey().startsWith("environment."))
            .collect(
                Collectors.toMap(
                    e -> e.getKey().substring("environment.".length()), Map.Entry::getValue)),
        config.environment(),
        context);
  }

  /** Random keys, mounts and variables of one file, or of one profile in it. */
  private Source fileSource(String origin, String prefix, Path dir) {
    Source source = new Source(origin);
    Map<String, List<String>> sections = new LinkedHashMap<>();
    List<String> flat = new ArrayList<>();
    for (Key key : POOL) {
      if (random.nextInt(3) != 0) {
        continue;
      }
      Object[] value = value(key, dir);
      source.values.put(key.dotted(), value[1]);
      String line = key.local() + " = " + value[0];
      // A profile may hold [defaults] keys directly, as the original tool's profiles did.
      if (!prefix.isEmpty() && key.section().equals("defaults") && random.nextBoolean()) {
        flat.add(line);
      } else {
        sections.computeIfAbsent(key.section(), s -> new ArrayList<>()).add(line);
      }
    }
    source.toml.addAll(flat);
    sections.forEach(
        (section, lines) -> {
          source.toml.add("[" + prefix + section + "]");
          source.toml.addAll(lines);
        });
    List<String> env = new ArrayList<>();
    for (String name : VARIABLES) {
      if (random.nextInt(3) == 0) {
        String value = "v" + random.nextInt(100);
        env.add(name + " = \"" + value + "\"");
        source.values.put("environment." + name, value);
      }
    }
    if (!env.isEmpty()) {
      source.toml.add("[" + prefix + "environment]");
      source.toml.addAll(env);
    }
    for (String target : TARGETS) {
      if (random.nextInt(3) == 0) {
        String from = "/src/" + random.nextInt(100);
        boolean readOnly = random.nextBoolean();
        source.toml.add("[[" + prefix + "mounts]]");
        source.toml.add("source = \"" + from + "\"");
        source.toml.add("target = \"" + target + "\"");
        if (readOnly || random.nextBoolean()) {
          source.toml.add("readonly = " + readOnly);
        }
        source.values.put(
            "mounts[" + target + "]", Mount.of(Path.of(from), target).withReadOnly(readOnly));
      }
    }
    return source;
  }

  private Source environmentSource() {
    Source source = new Source("environment " + Key.ENV_PREFIX);
    for (Key key : POOL) {
      if (random.nextInt(4) != 0) {
        continue;
      }
      List<String> names = key.environmentVariables();
      String variable = names.get(random.nextInt(names.size()));
      Object[] value = value(key, root);
      String text =
          value[1] instanceof List<?>
              ? String.join(" ", ((List<?>) value[1]).stream().map(Object::toString).toList())
              : value[0].toString().replace("\"", "");
      source.variables.put(variable, text);
      source.values.put(key.dotted(), value[1]);
    }
    source.variables.put("UNRELATED", "x");
    return source;
  }

  private SessionSpec spec(Source explicit, String profile) {
    SessionSpec.Builder spec = Sessions.builder().workspace(workspace);
    if (!profile.isEmpty()) {
      spec.profile(profile);
    }
    if (random.nextInt(3) == 0) {
      String image = "spec-" + random.nextInt(10);
      spec.image(image);
      explicit.values.put("defaults.image", image);
    }
    if (random.nextInt(3) == 0) {
      spec.persistent();
      explicit.values.put("defaults.persistent", true);
    }
    if (random.nextInt(3) == 0) {
      String prefix = "s" + random.nextInt(10) + "-";
      spec.containerPrefix(prefix);
      explicit.values.put("defaults.container_prefix", prefix);
    }
    for (String name : VARIABLES) {
      if (random.nextInt(4) == 0) {
        String value = "spec" + random.nextInt(10);
        spec.putEnvironment(name, value);
        explicit.values.put("environment." + name, value);
      }
    }
    return spec.build();
  }

  /** A random value for a key: its TOML text, and what the loader should make of it. */
  private Object[] value(Key key, Path relativeTo) {
    int n = random.nextInt(50);
    switch (key.type()) {
      case BOOLEAN:
        boolean b = random.nextBoolean();
        return new Object[] {Boolean.toString(b), b};
      case INTEGER:
        return new Object[] {Integer.toString(n + 1), n + 1};
      case PATH:
        switch (random.nextInt(3)) {
          case 0:
            return new Object[] {"\"/abs/" + n + "\"", Path.of("/abs/" + n)};
          case 1:
            return new Object[] {"\"~/h" + n + "\"", home.resolve("h" + n)};
          default:
            return new Object[] {"\"rel/" + n + "\"", relativeTo.resolve("rel/" + n)};
        }
      case STRING_LIST:
        List<String> items = new ArrayList<>();
        for (int i = 0; i <= random.nextInt(3); i++) {
          items.add("--a" + random.nextInt(10));
        }
        return new Object[] {
          items.stream().map(s -> "\"" + s + "\"").collect(Collectors.joining(", ", "[", "]")),
          List.copyOf(items)
        };
      default:
        String s = key == Key.CONTAINER_PREFIX ? "c" + n + "-" : "v" + n;
        return new Object[] {"\"" + s + "\"", s};
    }
  }
}
