package io.cachesync.core.util;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread factories for the services' background threads, named so that logs and thread dumps say whose they are. */
public final class Threads {
    private Threads() {
    }

    /**
     * A factory of daemon threads (they never keep the JVM alive): the first is named {@code name}, each later one
     * {@code name-N} (N = 2, 3, …) — a pool's other workers, or the replacement of a worker that died.
     */
    public static ThreadFactory daemon(String name) {
        AtomicInteger made = new AtomicInteger();
        return task -> {
            int n = made.incrementAndGet();
            Thread t = new Thread(task, n == 1 ? name : name + "-" + n);
            t.setDaemon(true);
            return t;
        };
    }
}
