package io.cachesync.core.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Settings nothing reads: a mistyped key ({@code api.prot}, {@code postgres.ssl-mode}) would otherwise leave the default
 * in force without a word. A declared name may hold placeholders ({@code entities.<name>.lists.<field>.max-per-page}),
 * each standing for one segment of the key.
 */
public final class UnknownKeys {
    private static final Pattern PLACEHOLDER = Pattern.compile("<[A-Za-z]+>");

    private UnknownKeys() {
    }

    /** One problem per key of {@code keys} that no declared key matches, with the nearest declared key when one is close. */
    public static List<String> problems(Collection<String> keys, Collection<? extends ConfigKey> declared) {
        List<Pattern> names = declared.stream().map(k -> pattern(k.name(), "[^.]+")).toList();
        List<String> out = new ArrayList<>();
        for (String key : keys.stream().sorted().toList()) {
            if (names.stream().noneMatch(p -> p.matcher(key).matches())) {
                out.add("'" + key + "' is not a cachesync setting" + nearest(key, declared).map(n -> " (did you mean " + n + "?)").orElse("")
                        + "; `cachesync <service> --print-config-keys` lists them");
            }
        }
        return out;
    }

    /** The {@code CACHESYNC_*} variables of {@code environment} that set no declared key and are not in {@code others}. */
    public static List<String> variables(Map<String, String> environment, Collection<? extends ConfigKey> declared, Collection<String> others) {
        List<Pattern> names = declared.stream().map(k -> pattern(k.envName(), ".+")).toList();
        return environment.keySet().stream().filter(v -> v.startsWith("CACHESYNC_") && !others.contains(v))
                .filter(v -> names.stream().noneMatch(p -> p.matcher(v).matches())).sorted().toList();
    }

    private static Pattern pattern(String name, String segment) {
        StringBuilder regex = new StringBuilder();
        int at = 0;
        Matcher m = PLACEHOLDER.matcher(name);
        while (m.find()) {
            regex.append(Pattern.quote(name.substring(at, m.start()))).append(segment);
            at = m.end();
        }
        return Pattern.compile(regex.append(Pattern.quote(name.substring(at))).toString());
    }

    /** The declared key nearest to {@code key} (placeholders filled from it), when at most a few edits away. */
    static Optional<String> nearest(String key, Collection<? extends ConfigKey> declared) {
        String[] segments = key.split("\\.");
        return declared.stream().map(k -> filled(k.name(), segments))
                .map(n -> Map.entry(n, distance(key, n)))
                .filter(e -> e.getValue() <= Math.max(2, key.length() / 5))
                .min(Comparator.comparingInt(Map.Entry::getValue))
                .map(Map.Entry::getKey);
    }

    /** A declared name with each placeholder replaced by the segment of {@code segments} at its position. */
    private static String filled(String name, String[] segments) {
        String[] parts = name.split("\\.");
        for (int i = 0; i < parts.length; i++) {
            if (PLACEHOLDER.matcher(parts[i]).matches() && i < segments.length) {
                parts[i] = segments[i];
            }
        }
        return String.join(".", parts);
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
