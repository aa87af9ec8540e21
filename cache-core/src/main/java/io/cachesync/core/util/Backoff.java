package io.cachesync.core.util;

import java.time.Duration;

/**
 * A capped exponential backoff: the delays between the attempts of one retry loop, doubling from {@code first} up to
 * {@code max}. Mutable and not thread-safe: each loop keeps its own.
 */
public final class Backoff {
    private final Duration first;
    private final Duration max;
    private Duration current;

    /** @throws IllegalArgumentException unless {@code 0 < first <= max} */
    public Backoff(Duration first, Duration max) {
        if (first == null || first.isNegative() || first.isZero()) {
            throw new IllegalArgumentException("the first backoff must be positive, was " + first);
        }
        if (max == null || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("the maximum backoff (" + max + ") must be at least the first (" + first + ")");
        }
        this.first = first;
        this.max = max;
        this.current = first;
    }

    /** The delay to wait now; the next call returns twice as much, at most {@code max}. */
    public Duration next() {
        Duration delay = current;
        // compared with half the maximum so that doubling a delay near Duration's limit cannot overflow
        current = current.compareTo(max.dividedBy(2)) > 0 ? max : current.multipliedBy(2);
        return delay;
    }

    /** Starts again from {@code first} (after a success). */
    public void reset() {
        current = first;
    }
}
