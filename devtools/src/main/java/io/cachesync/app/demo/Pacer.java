package io.cachesync.app.demo;

import java.util.concurrent.locks.LockSupport;

/** Spaces operations evenly at a target rate; a pacer that falls behind does not burst more than one second to catch up. */
final class Pacer {
    private final long intervalNanos;
    private long next;

    Pacer(double perSecond) {
        this.intervalNanos = (long) (1_000_000_000L / perSecond);
        this.next = System.nanoTime();
    }

    /** Waits for the next slot; false when the thread was interrupted. */
    boolean await() {
        long now = System.nanoTime();
        if (next < now - 1_000_000_000L) {
            next = now - 1_000_000_000L;
        }
        long wait = next - now;
        if (wait > 0) {
            LockSupport.parkNanos(wait);
        }
        next += intervalNanos;
        return !Thread.currentThread().isInterrupted();
    }
}
