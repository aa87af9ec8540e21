package io.cachesync.core.util;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * At most one log line per interval for a condition that can recur thousands of times a second (a stale key under
 * real lag): {@link #admit()} says whether to log now and how many occurrences it held back since the last line, so
 * the line can say so. The counts themselves belong in a metric; the log only names examples.
 */
public final class LogThrottle {
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private boolean started;
    private long nextAt;
    private long held;

    public LogThrottle(Duration interval) {
        this(interval, System::nanoTime);
    }

    /** @param nanoTime the clock ({@link System#nanoTime()} outside tests) */
    public LogThrottle(Duration interval, LongSupplier nanoTime) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("interval must not be negative: " + interval);
        }
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
    }

    /** Returns -1 to hold this occurrence back, else the number held back since the last admitted one (0 or more). */
    public synchronized long admit() {
        long now = nanoTime.getAsLong();
        if (started && now - nextAt < 0) {
            held++;
            return -1;
        }
        started = true;
        nextAt = now + intervalNanos;
        long before = held;
        held = 0;
        return before;
    }

    /** {@code ""}, or a suffix for the admitted line that says how many were held back (from {@link #admit()}). */
    public static String heldBack(long held) {
        return held <= 0 ? "" : " (and " + held + " more since the last such line)";
    }
}
