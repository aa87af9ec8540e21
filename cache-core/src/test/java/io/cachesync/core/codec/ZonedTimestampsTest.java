package io.cachesync.core.codec;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ZonedTimestamps#toInstantText} answers exactly as parsing every value did
 * ({@code OffsetDateTime.parse(text, ISO_OFFSET_DATE_TIME).toInstant().toString()}): the same text, or the same exception.
 */
class ZonedTimestampsTest {

    /** The answer of the full parse: the instant's text, or the exception's class and message. */
    private static String reference(String text) {
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().toString();
        } catch (RuntimeException e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    private static String actual(String text) {
        try {
            return ZonedTimestamps.toInstantText(text);
        } catch (RuntimeException e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    @Property(tries = 3000)
    void everyValueIsConvertedAsTheFullParseConvertsIt(@ForAll("timestamps") String text) {
        assertThat(actual(text)).as(text).isEqualTo(reference(text));
    }

    @Example
    void debeziumsUtcValuesAreKeptAsTheyAre() {
        for (String text : new String[] {"2026-11-26T10:15:30.123456Z", "2026-11-26T10:15:30Z", "2026-11-26T10:15:30.120Z",
                "2026-11-26T10:15:30.123456789Z", "2024-02-29T23:59:59.999999Z", "1000-01-01T00:00:00Z"}) {
            assertThat(ZonedTimestamps.isInstantText(text)).as(text).isTrue();
            assertThat(actual(text)).as(text).isEqualTo(reference(text)).isEqualTo(text);
        }
    }

    @Example
    void everythingElseGoesThroughTheFullParse() {
        for (String text : new String[] {"2026-11-26T10:15:30.000Z", "2026-11-26T10:15:30.123000Z", "2026-11-26T10:15:30.1Z",
                "2026-11-26T10:15:30.000123000Z", "2026-11-26T10:15:30.123456+00:00", "2026-11-26T11:15:30.123456+01:00",
                "2026-11-26t10:15:30Z", "2026-11-26T10:15:30z", "0999-12-31T23:59:59Z", "2023-02-29T00:00:00Z",
                "2026-04-31T00:00:00Z", "2026-11-26T24:00:00Z", "2026-11-26T10:60:00Z", "2026-11-26T10:15:60Z",
                "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-11-00T00:00:00Z", "2026-11-26T10:15:30.12a456Z",
                "2026-11-26T10:15:30,123456Z", "2026-1a-26T10:15:30Z", "+2026-11-26T10:15:30Z", "2026-11-26T10:15Z",
                "2026-11-26 10:15:30Z", "", "x", "2026-11-26T10:15:30.Z", "2026-11-26T10:15:30.1234567890Z"}) {
            assertThat(ZonedTimestamps.isInstantText(text)).as(text).isFalse();
            assertThat(actual(text)).as(text).isEqualTo(reference(text));
        }
    }

    @Provide
    Arbitrary<String> timestamps() {
        Arbitrary<LocalDateTime> times = Combinators.combine(
                Arbitraries.longs().between(Instant.parse("0900-01-01T00:00:00Z").getEpochSecond(),
                        Instant.parse("9999-12-31T23:59:59Z").getEpochSecond()),
                Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(0, 999).map(ms -> ms * 1_000_000),
                        Arbitraries.integers().between(0, 999_999).map(us -> us * 1_000),
                        Arbitraries.integers().between(0, 999_999_999)))
                .as((seconds, nanos) -> LocalDateTime.ofEpochSecond(seconds, nanos, ZoneOffset.UTC));
        Arbitrary<String> offsets = Arbitraries.of("Z", "z", "+00:00", "+01:00", "-05:30", "+14:00");
        Arbitrary<Integer> digits = Arbitraries.integers().between(0, 9);
        Arbitrary<String> formatted = Combinators.combine(times, offsets, digits).as((time, offset, fraction) -> {
            DateTimeFormatterBuilder b = new DateTimeFormatterBuilder().appendPattern("uuuu-MM-dd'T'HH:mm:ss");
            if (fraction > 0) {
                b.appendFraction(ChronoField.NANO_OF_SECOND, fraction, fraction, true);
            }
            String local = time.format(b.toFormatter(Locale.ROOT));
            return offset.equals("Z") || offset.equals("z") ? local + offset
                    : time.atOffset(ZoneOffset.UTC).withOffsetSameInstant(ZoneOffset.of(offset)).format(b.appendOffsetId().toFormatter(Locale.ROOT));
        });
        Arbitrary<String> canonical = times.map(t -> t.toInstant(ZoneOffset.UTC).toString());
        // one character changed: invalid dates, times and separators
        Arbitrary<String> mutated = Combinators.combine(canonical, Arbitraries.integers().between(0, 29),
                Arbitraries.of('0', '1', '2', '3', '5', '9', ':', '-', '.', 'T', 'Z', 'x'))
                .as((text, at, c) -> at < text.length() ? text.substring(0, at) + c + text.substring(at + 1) : text);
        return Arbitraries.frequencyOf(
                Tuple.of(4, canonical), Tuple.of(4, formatted), Tuple.of(3, mutated));
    }
}
