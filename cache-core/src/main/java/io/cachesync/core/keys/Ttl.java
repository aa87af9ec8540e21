package io.cachesync.core.keys;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** TTLs with jitter (DESIGN rule 5), so keys written together do not expire together. */
public final class Ttl {
    private Ttl() {
    }

    /** {@code base} scaled by a uniform factor in [1 - jitter, 1 + jitter]. */
    public static Duration jittered(Duration base, double jitter) {
        if (jitter <= 0) {
            return base;
        }
        double f = 1 + (ThreadLocalRandom.current().nextDouble() * 2 - 1) * jitter;
        return Duration.ofMillis(Math.max(1, Math.round(base.toMillis() * f)));
    }
}
