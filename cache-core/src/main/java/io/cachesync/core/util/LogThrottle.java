package io.cachesync.core.util;

import org.slf4j.Logger;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * At most one log line per interval for a condition that can recur thousands of times a second (a stale key under
 * real lag): {@link #admit()} says whether to log now and how many occurrences it held back since the last line, so
 * the line can say so. The counts themselves belong in a metric; the log only names examples. Lock-free: request
 * threads that all fail at once (Redis down) do not queue on it; the count held back is then approximate.
 */
public final class LogThrottle {
    /** The interval for failures that every request or record can meet (README, "Operating it"). */
    public static final Duration REPEATED_FAILURES = Duration.ofSeconds(10);
    private static final long NOT_YET = Long.MIN_VALUE;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    /** When the next line may be logged, or {@link #NOT_YET} before the first. */
    private final AtomicLong nextAt = new AtomicLong(NOT_YET);
    private final LongAdder held = new LongAdder();

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
    public long admit() {
        long now = nanoTime.getAsLong();
        long next = nextAt.get();
        if (next != NOT_YET && now - next < 0 || !nextAt.compareAndSet(next, now + intervalNanos)) {
            held.increment();
            return -1;
        }
        return held.sumThenReset();
    }

    /** {@code ""}, or a suffix for the admitted line that says how many were held back (from {@link #admit()}). */
    static String heldBack(long held) {
        return held <= 0 ? "" : " (and " + held + " more since the last such line)";
    }

    /** Logs {@code format} at WARN when {@link #admit() admitted}, followed by how many were held back. */
    public void warn(Logger log, String format, Object... args) {
        long held = admit();
        if (held >= 0) {
            log.warn(format + "{}", withSuffix(args, held));
        }
    }

    /** As {@link #warn}, at ERROR; a {@link Throwable} last among {@code args} is logged with its stack, as SLF4J does. */
    public void error(Logger log, String format, Object... args) {
        long held = admit();
        if (held >= 0) {
            log.error(format + "{}", withSuffix(args, held));
        }
    }

    /** {@code args} with the held-back suffix as the last placeholder's value, before a trailing throwable. */
    static Object[] withSuffix(Object[] args, long held) {
        boolean thrown = args.length > 0 && args[args.length - 1] instanceof Throwable;
        int values = thrown ? args.length - 1 : args.length;
        Object[] out = Arrays.copyOf(args, args.length + 1);
        out[values] = heldBack(held);
        if (thrown) {
            out[values + 1] = args[args.length - 1];
        }
        return out;
    }
}
