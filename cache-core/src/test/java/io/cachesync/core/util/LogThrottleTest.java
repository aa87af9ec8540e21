package io.cachesync.core.util;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogThrottleTest {
    private final AtomicLong now = new AtomicLong(-5_000_000_000L);  // nanoTime may be negative
    private final LogThrottle throttle = new LogThrottle(Duration.ofSeconds(60), now::get);

    @Test
    void theFirstOccurrenceIsLoggedThenOneLinePerIntervalCountingThoseHeldBack() {
        assertThat(throttle.admit()).isZero();
        assertThat(throttle.admit()).isEqualTo(-1);
        now.addAndGet(Duration.ofSeconds(59).toNanos());
        assertThat(throttle.admit()).isEqualTo(-1);
        assertThat(throttle.admit()).isEqualTo(-1);
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(throttle.admit()).as("an interval after the first line, three held back").isEqualTo(3);
        assertThat(throttle.admit()).isEqualTo(-1);
        now.addAndGet(Duration.ofMinutes(10).toNanos());
        assertThat(throttle.admit()).isEqualTo(1);
        now.addAndGet(Duration.ofMinutes(10).toNanos());
        assertThat(throttle.admit()).as("nothing held back since").isZero();
    }

    @Test
    void aZeroIntervalAdmitsEveryOccurrenceAndANegativeOneIsRefused() {
        LogThrottle every = new LogThrottle(Duration.ZERO, now::get);
        assertThat(every.admit()).isZero();
        assertThat(every.admit()).isZero();
        assertThatThrownBy(() -> new LogThrottle(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be negative");
    }

    @Test
    void threadsFailingAtOnceGetOneLineAndTheNextLineCountsTheRest() throws Exception {
        int threads = 4;
        int each = 10_000;
        java.util.concurrent.atomic.LongAdder admitted = new java.util.concurrent.atomic.LongAdder();
        java.util.concurrent.atomic.LongAdder countedByTheFirst = new java.util.concurrent.atomic.LongAdder();
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        java.util.List<Thread> started = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread thread = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    long held = throttle.admit();
                    if (held >= 0) {
                        admitted.increment();
                        countedByTheFirst.add(held);
                    }
                }
            });
            thread.start();
            started.add(thread);
        }
        go.countDown();
        for (Thread thread : started) {
            thread.join();
        }
        assertThat(admitted.sum()).as("one line for the whole burst").isEqualTo(1);
        now.addAndGet(Duration.ofMinutes(1).toNanos());
        // those that failed while the first line was being admitted may be counted by it (it then says "and n more"):
        // every one held back is counted once, by one line or the next
        assertThat(countedByTheFirst.sum() + throttle.admit()).isEqualTo(threads * each - 1);
    }

    @Test
    void theSuffixTakesTheLastPlaceholderAndAThrowableStaysLastForItsStack() {
        IllegalStateException failure = new IllegalStateException("boom");
        assertThat(LogThrottle.withSuffix(new Object[] {"/v1/products/1", failure}, 7))
                .containsExactly("/v1/products/1", " (and 7 more since the last such line)", failure);
        assertThat(LogThrottle.withSuffix(new Object[] {"a", "b"}, 0)).containsExactly("a", "b", "");
        assertThat(LogThrottle.withSuffix(new Object[0], 2)).containsExactly(" (and 2 more since the last such line)");
    }

    @Test
    void theSuffixSaysHowManyWereHeldBack() {
        assertThat(LogThrottle.heldBack(0)).isEmpty();
        assertThat(LogThrottle.heldBack(41)).isEqualTo(" (and 41 more since the last such line)");
    }
}
