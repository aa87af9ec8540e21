package io.cachesync.core.keys;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class TtlTest {

    @Test
    void jitteredTtlStaysWithinPlusOrMinusTheJitter() {
        Duration base = Duration.ofHours(1);
        long min = Math.round(base.toMillis() * 0.9);
        long max = Math.round(base.toMillis() * 1.1);
        long lowest = Long.MAX_VALUE;
        long highest = Long.MIN_VALUE;
        Set<Long> distinct = new HashSet<>();

        for (int i = 0; i < 20_000; i++) {
            long ms = Ttl.jittered(base, 0.1).toMillis();
            assertThat(ms).isBetween(min, max);
            lowest = Math.min(lowest, ms);
            highest = Math.max(highest, ms);
            distinct.add(ms);
        }

        // the draws spread over the whole band instead of clustering (keys written together expire apart)
        assertThat(lowest).isLessThan(base.toMillis() - base.toMillis() / 20);
        assertThat(highest).isGreaterThan(base.toMillis() + base.toMillis() / 20);
        assertThat(distinct).hasSizeGreaterThan(1_000);
    }

    @Test
    void zeroJitterReturnsTheBase() {
        Duration base = Duration.ofMinutes(7);

        for (int i = 0; i < 100; i++) {
            assertThat(Ttl.jittered(base, 0)).isEqualTo(base);
        }
    }

    @Test
    void jitteredTtlIsNeverBelowOneMillisecond() {
        for (int i = 0; i < 1_000; i++) {
            assertThat(Ttl.jittered(Duration.ofMillis(1), 0.5).toMillis()).isGreaterThanOrEqualTo(1);
        }
    }
}
