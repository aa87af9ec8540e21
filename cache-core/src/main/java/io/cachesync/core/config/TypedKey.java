package io.cachesync.core.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A configuration key declared once: name, documentation, typed default, how its text is read and every rule its value
 * must keep. {@link #read} returns the value, or — naming the key and the reason in {@code problems} — the default, so a
 * service reports every bad key at once. The default's text (what {@code --print-config-keys} and the example YAML show)
 * is derived from the typed default, so the two cannot differ.
 *
 * @param <T> the value's type
 */
public final class TypedKey<T> extends ConfigKey {
    private final T typedDefault;
    private final Function<String, T> parser;
    private final String expected;
    private final List<Rule<T>> rules;

    private record Rule<T>(Predicate<T> holds, String must) {
    }

    private TypedKey(String name, String doc, T typedDefault, String defaultText, boolean secret, Function<String, T> parser,
                     String expected, List<Rule<T>> rules) {
        super(name, doc, defaultText, secret);
        this.typedDefault = typedDefault;
        this.parser = parser;
        this.expected = expected;
        this.rules = List.copyOf(rules);
    }

    /** A whole number. */
    public static TypedKey<Integer> integer(String name, String doc, int dflt) {
        return new TypedKey<>(name, doc, dflt, Integer.toString(dflt), false, v -> Integer.parseInt(v.trim()), "a whole number", List.of());
    }

    /** A whole number that may exceed an int. */
    public static TypedKey<Long> longInteger(String name, String doc, long dflt) {
        return new TypedKey<>(name, doc, dflt, Long.toString(dflt), false, v -> Long.parseLong(v.trim()), "a whole number", List.of());
    }

    /** A TCP port: 0 picks a free one; with {@code mayBeOff}, -1 turns the listener off. */
    public static TypedKey<Integer> port(String name, String doc, int dflt, boolean mayBeOff) {
        return new TypedKey<>(name, doc, dflt, Integer.toString(dflt), false, v -> Integer.parseInt(v.trim()), "a TCP port number", List.<Rule<Integer>>of())
                .check(p -> p >= (mayBeOff ? -1 : 0) && p <= 65535,
                mayBeOff ? "be -1 (off), 0 (any free port) or a port up to 65535" : "be 0 (any free port) or a port up to 65535");
    }

    /** A duration such as {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h} or {@code PT1H}; zero or more. */
    public static TypedKey<Duration> duration(String name, String doc, Duration dflt) {
        return new TypedKey<>(name, doc, dflt, Settings.format(dflt), false, Settings::duration, "a duration such as 5s", List.of())
                .check(d -> !d.isNegative(), "not be negative");
    }

    /** A duration above zero. */
    public static TypedKey<Duration> positiveDuration(String name, String doc, Duration dflt) {
        return new TypedKey<>(name, doc, dflt, Settings.format(dflt), false, Settings::duration, "a positive duration such as 5s", List.of())
                .check(d -> !d.isNegative() && !d.isZero(), "be positive");
    }

    /** A fraction in [0, 1] ({@code upTo1Inclusive}) or [0, 1). */
    public static TypedKey<Double> fraction(String name, String doc, double dflt, boolean upTo1Inclusive) {
        return new TypedKey<>(name, doc, dflt, Double.toString(dflt), false, v -> Double.parseDouble(v.trim()),
                "a fraction such as " + dflt, List.of())
                .check(d -> d >= 0 && (upTo1Inclusive ? d <= 1 : d < 1), upTo1Inclusive ? "be in [0, 1]" : "be in [0, 1)");
    }

    /** Text read as it is. */
    public static TypedKey<String> text(String name, String doc, String dflt) {
        return new TypedKey<>(name, doc, dflt, dflt, false, v -> v, "text", List.of());
    }

    /** A secret read as it is; never shown. */
    public static TypedKey<String> secretText(String name, String doc, String dflt) {
        return new TypedKey<>(name, doc, dflt, dflt, true, v -> v, "text", List.of());
    }

    /** One of {@code allowed}, in any case; read as it is written in {@code allowed}. */
    public static TypedKey<String> oneOf(String name, String doc, String dflt, String... allowed) {
        List<String> values = Arrays.asList(allowed);
        return new TypedKey<>(name, doc, dflt, dflt, false,
                v -> values.stream().filter(a -> a.equalsIgnoreCase(v.trim())).findFirst().orElseThrow(IllegalArgumentException::new),
                "one of " + String.join(", ", values), List.of());
    }

    /** The same key, whose value must also satisfy {@code holds}; {@code must} completes "&lt;key&gt; must …". */
    public TypedKey<T> check(Predicate<T> holds, String must) {
        List<Rule<T>> more = new ArrayList<>(rules);
        more.add(new Rule<>(holds, must));
        return new TypedKey<>(name(), doc(), typedDefault, defaultValue(), secret(), parser, expected, more);
    }

    /** The same key with a minimum. */
    public TypedKey<T> atLeast(T min) {
        return check(v -> compare(v, min) >= 0, "be at least " + min);
    }

    /** The same key with a range. */
    public TypedKey<T> between(T min, T max) {
        return check(v -> compare(v, min) >= 0 && compare(v, max) <= 0, "be between " + min + " and " + max);
    }

    @SuppressWarnings("unchecked")
    private static <T> int compare(T a, T b) {
        return ((Comparable<T>) a).compareTo(b);
    }

    public T typedDefault() {
        return typedDefault;
    }

    /** The value in {@code s}; on a problem, the default, with the problem (naming the key) added to {@code problems}. */
    public T read(Settings s, List<String> problems) {
        return read(s, name(), problems);
    }

    /**
     * The value of {@code concreteName} read by this key's rules — for keys declared once for every entity
     * ({@code entities.<name>.ttl}).
     */
    public T read(Settings s, String concreteName, List<String> problems) {
        String text = s.raw(concreteName).orElse(defaultValue());
        if (text == null || (text.isBlank() && !typedDefault.equals(""))) {
            problems.add(concreteName + " is required (" + expected + ")");
            return typedDefault;
        }
        T value;
        try {
            value = parser.apply(text);
        } catch (RuntimeException e) {
            problems.add(concreteName + " is not " + expected + ": '" + (secret() ? "<masked>" : text) + "'");
            return typedDefault;
        }
        for (Rule<T> r : rules) {
            if (!r.holds().test(value)) {
                problems.add(concreteName + " must " + r.must() + ", was " + (secret() ? "<masked>" : "'" + text + "'"));
                return typedDefault;
            }
        }
        return value;
    }
}
