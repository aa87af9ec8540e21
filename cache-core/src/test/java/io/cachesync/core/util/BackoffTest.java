package io.cachesync.core.util;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackoffTest {

    @Test
    void doublesFromTheFirstDelayUpToTheMaximum() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));

        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(400));
        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(800));
        assertThat(backoff.next()).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.next()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void resetStartsAgainFromTheFirstDelay() {
        Backoff backoff = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(5));
        backoff.next();
        backoff.next();
        backoff.next();

        backoff.reset();

        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(50));
        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void aMaximumEqualToTheFirstDelayNeverGrows() {
        Backoff backoff = new Backoff(Duration.ofMillis(7), Duration.ofMillis(7));

        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(7));
        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(7));
    }

    @Test
    void neverOverflowsWhateverTheNumberOfCalls() {
        Duration max = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);
        Backoff backoff = new Backoff(Duration.ofNanos(1), max);
        Duration previous = Duration.ZERO;

        for (int i = 0; i < 1_000; i++) {
            Duration delay = backoff.next();
            assertThat(delay).isGreaterThanOrEqualTo(previous).isLessThanOrEqualTo(max);
            previous = delay;
        }

        assertThat(previous).isEqualTo(max);
    }

    @Test
    void rejectsAFirstDelayThatIsNotPositive() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
        assertThatThrownBy(() -> new Backoff(Duration.ofMillis(-1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
        assertThatThrownBy(() -> new Backoff(null, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
    }

    @Test
    void rejectsAMaximumBelowTheFirstDelay() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least the first");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least the first");
    }
}
