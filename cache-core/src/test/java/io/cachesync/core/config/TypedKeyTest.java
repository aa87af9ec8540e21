package io.cachesync.core.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A key declared once: the default's text comes from the typed default, and every rule names the key when it fails. */
class TypedKeyTest {
    static final TypedKey<Duration> LINGER = TypedKey.positiveDuration("x.linger", "doc", Duration.ofMillis(5));
    static final TypedKey<Integer> THREADS = TypedKey.integer("x.threads", "doc", 1).between(1, 64);
    static final TypedKey<Integer> PORT = TypedKey.port("x.port", "doc", 9401, true);
    static final TypedKey<String> MODE = TypedKey.oneOf("x.mode", "doc", "prefer", "disable", "prefer", "require");
    static final TypedKey<String> TOKEN = TypedKey.secretText("x.token", "doc", "").check(t -> t.isEmpty() || t.length() >= 16, "be long");

    static <T> T read(TypedKey<T> key, String value, List<String> problems) {
        return key.read(Settings.of(value == null ? Map.of() : Map.of(key.name(), value)), problems);
    }

    @Test
    void theDefaultsTextIsDerivedFromTheTypedDefaultAndReadsBackAsIt() {
        for (Duration d : List.of(Duration.ofMillis(5), Duration.ofMillis(1500), Duration.ofSeconds(30), Duration.ofMinutes(2),
                Duration.ofHours(1), Duration.ofDays(7), Duration.ZERO, Duration.ofNanos(1))) {
            TypedKey<Duration> k = TypedKey.duration("x.d", "doc", d);
            assertThat(Settings.duration(k.defaultValue())).as(k.defaultValue()).isEqualTo(d);
        }
        assertThat(LINGER.defaultValue()).isEqualTo("5ms");
        assertThat(TypedKey.fraction("x.f", "doc", 0.01, true).defaultValue()).isEqualTo("0.01");
        List<String> problems = new ArrayList<>();
        assertThat(read(LINGER, null, problems)).isEqualTo(Duration.ofMillis(5));
        assertThat(read(THREADS, null, problems)).isEqualTo(1);
        assertThat(problems).isEmpty();
    }

    @Test
    void aValueIsReadOrItsProblemIsNamedAndTheDefaultReturned() {
        List<String> problems = new ArrayList<>();
        assertThat(read(THREADS, " 8 ", problems)).isEqualTo(8);
        assertThat(read(THREADS, "many", problems)).isEqualTo(1);
        assertThat(read(THREADS, "65", problems)).isEqualTo(1);
        assertThat(read(LINGER, "0s", problems)).isEqualTo(Duration.ofMillis(5));
        assertThat(read(PORT, "-1", problems)).isEqualTo(-1);
        assertThat(read(PORT, "70000", problems)).isEqualTo(9401);
        assertThat(read(MODE, "REQUIRE", problems)).as("any case, read as declared").isEqualTo("require");
        assertThat(read(MODE, "strict", problems)).isEqualTo("prefer");
        assertThat(read(TOKEN, "short-secret", problems)).isEmpty();
        assertThat(problems).containsExactly(
                "x.threads is not a whole number: 'many'",
                "x.threads must be between 1 and 64, was '65'",
                "x.linger must be positive, was '0s'",
                "x.port must be -1 (off), 0 (any free port) or a port up to 65535, was '70000'",
                "x.mode is not one of disable, prefer, require: 'strict'",
                "x.token must be long, was <masked>");
    }

    @Test
    void aKeyDeclaredForEveryEntityIsReadUnderItsConcreteName() {
        TypedKey<Duration> ttl = TypedKey.positiveDuration("entities.<name>.ttl", "doc", Duration.ofHours(1));
        List<String> problems = new ArrayList<>();
        Settings s = Settings.of(Map.of("entities.a.ttl", "10m", "entities.b.ttl", "soon"));
        assertThat(ttl.read(s, "entities.a.ttl", problems)).isEqualTo(Duration.ofMinutes(10));
        assertThat(ttl.read(s, "entities.b.ttl", problems)).isEqualTo(Duration.ofHours(1));
        assertThat(ttl.read(s, "entities.c.ttl", problems)).isEqualTo(Duration.ofHours(1));
        assertThat(problems).containsExactly("entities.b.ttl is not a positive duration such as 5s: 'soon'");
    }
}
