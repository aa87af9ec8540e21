package io.cachesync.devstack;

import redis.clients.jedis.exceptions.JedisException;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * A poll loop with a deadline, for the devstack's own waits (main code has no Awaitility): a Redis Cluster converges
 * by gossip, so the devstack asks its nodes again and again until they agree, and gives up with what was still
 * missing rather than hang a test run.
 */
final class BoundedWait {
    private static final long PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private BoundedWait() {
    }

    /**
     * Calls {@code missing} until it answers empty; a {@link JedisException} (a node not answering yet) counts as not
     * there yet. Throws a {@link DevStackException} naming {@code what} and the last answer after {@code timeout}.
     */
    static void until(String what, Duration timeout, Supplier<Optional<String>> missing) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "not asked yet";
        while (true) {
            try {
                Optional<String> m = missing.get();
                if (m.isEmpty()) {
                    return;
                }
                last = m.get();
            } catch (JedisException e) {
                last = e.toString();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new DevStackException("devstack: " + what + " did not happen within " + timeout + "; last: " + last);
            }
            LockSupport.parkNanos(PAUSE_NANOS);
            if (Thread.currentThread().isInterrupted()) {
                throw new DevStackException("devstack: interrupted while waiting for " + what);
            }
        }
    }
}
