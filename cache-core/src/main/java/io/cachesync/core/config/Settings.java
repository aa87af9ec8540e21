package io.cachesync.core.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;

/**
 * Raw configuration values: a YAML or properties file overlaid by environment variables ({@link ConfigKey#envName}).
 * The typed, validated view of each module is built from this by that module's config class; problems are
 * collected (not thrown one by one) so that a user sees every mistake at once.
 */
public final class Settings {

    private final Map<String, String> values;
    private final Map<String, String> env;
    private final String origin;

    private Settings(Map<String, String> values, Map<String, String> env, String origin) {
        this.values = Map.copyOf(values);
        this.env = Map.copyOf(env);
        this.origin = origin;
    }

    public static Settings of(Map<String, String> values) {
        return new Settings(values, Map.of(), "in-memory settings");
    }

    /**
     * Values from the file (if given) overlaid by the process environment. A file whose name ends in {@code .yaml} or
     * {@code .yml} is read by {@link YamlSettingsReader}; any other file is a properties file.
     */
    public static Settings load(Optional<Path> file, Map<String, String> environment) {
        Map<String, String> values = new HashMap<>();
        String origin = "environment";
        if (file.isPresent()) {
            Path p = file.get();
            if (!Files.isReadable(p)) {
                throw new ConfigException("config file " + p + " does not exist or is not readable");
            }
            if (YamlSettingsReader.isYaml(p)) {
                values.putAll(YamlSettingsReader.read(p));
            } else {
                Properties props = new Properties();
                try (Reader r = Files.newBufferedReader(p)) {
                    props.load(r);
                } catch (IOException e) {
                    throw new ConfigException("config file " + p + " cannot be read: " + e.getMessage());
                }
                props.stringPropertyNames().forEach(k -> values.put(k.trim(), props.getProperty(k).trim()));
            }
            origin = p + " + environment";
        }
        Map<String, String> env = new HashMap<>();
        environment.forEach((k, v) -> {
            if (k.startsWith("CACHESYNC_")) {
                env.put(k, v);
            }
        });
        return new Settings(values, env, origin);
    }

    /** A copy with some values replaced (used by the demo to point services at the devstack). */
    public Settings with(Map<String, String> overrides) {
        Map<String, String> merged = new HashMap<>(values);
        merged.putAll(overrides);
        Map<String, String> env2 = new HashMap<>(env);
        overrides.keySet().forEach(k -> env2.remove(ConfigKey.envName(k)));
        return new Settings(merged, env2, origin);
    }

    public String origin() {
        return origin;
    }

    /** The keys the file (or in-memory map) sets, without the environment's. */
    public Set<String> fileKeys() {
        return values.keySet();
    }

    /** The environment variables taken into account ({@code CACHESYNC_*}). */
    public Map<String, String> environment() {
        return env;
    }

    public Optional<String> raw(String key) {
        String fromEnv = env.get(ConfigKey.envName(key));
        if (fromEnv != null) {
            return Optional.of(fromEnv.trim());
        }
        return Optional.ofNullable(values.get(key));
    }

    public String get(ConfigKey key) {
        return raw(key.name()).orElse(key.defaultValue());
    }

    /** Reads and converts a value; on failure records a problem naming the key and returns the fallback. */
    public <T> T parse(ConfigKey key, Function<String, T> parser, T fallback, List<String> problems, String expected) {
        return parse(key.name(), get(key), parser, fallback, problems, expected);
    }

    public static <T> T parse(String key, String value, Function<String, T> parser, T fallback, List<String> problems, String expected) {
        if (value == null || value.isBlank()) {
            problems.add(key + " is required (" + expected + ")");
            return fallback;
        }
        try {
            return parser.apply(value.trim());
        } catch (RuntimeException e) {
            problems.add(key + " is not " + expected + ": '" + value + "'");
            return fallback;
        }
    }

    public static Duration duration(String s) {
        String v = s.trim().toLowerCase();
        try {
            if (v.startsWith("p") || v.startsWith("-p")) {
                return Duration.parse(v.toUpperCase());
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            long n = Long.parseLong(v.substring(0, v.length() - 1));
            return switch (v.charAt(v.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new IllegalArgumentException("unit");
            };
        } catch (DateTimeParseException | NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    /** A duration as a config file writes it: {@code 5ms}, {@code 2s}, {@code 5m}, {@code 1h}, {@code 7d} (whichever unit is exact). */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (!d.equals(Duration.ofMillis(ms))) {
            return d.toString();
        }
        if (ms != 0 && ms % 86_400_000L == 0) {
            return ms / 86_400_000L + "d";
        }
        if (ms != 0 && ms % 3_600_000L == 0) {
            return ms / 3_600_000L + "h";
        }
        if (ms != 0 && ms % 60_000L == 0) {
            return ms / 60_000L + "m";
        }
        if (ms % 1_000L == 0) {
            return ms / 1_000L + "s";
        }
        return ms + "ms";
    }

    public static Duration positiveDuration(String s) {
        Duration d = duration(s);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("not positive");
        }
        return d;
    }

    public static List<String> list(String s) {
        if (s == null || s.isBlank()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).forEach(out::add);
        return List.copyOf(out);
    }

    /** Renders a key and value for a log line, masking secrets. */
    public static String show(ConfigKey key, Object value) {
        return key.name() + "=" + (key.secret() ? "<masked>" : String.valueOf(value));
    }
}
