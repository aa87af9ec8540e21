package io.cachesync.core.keys;

import java.time.Duration;

/**
 * Control lines on {@link CacheKeys#INVALIDATION_CHANNEL}, beside the {@code <entity>:<id>} row lines. A row line starts
 * with its entity name, and an entity name starts with a lower-case letter ({@code EntityCatalog}); a control line starts
 * with {@link #CONTROL}, which no entity name can, so a reader never takes one for the other.
 *
 * <p>Every cache-sync instance publishes {@link #HEARTBEAT} every {@link #HEARTBEAT_INTERVAL}: a reader that hears
 * nothing on the channel for a few intervals cannot tell a quiet pipeline from a half-open subscription, and must stop
 * trusting its in-process cache.
 */
public final class InvalidationMessages {
    /** The first character of every control line. */
    public static final char CONTROL = '#';
    /** "cache-sync is publishing and this subscription delivers". */
    public static final String HEARTBEAT = CONTROL + "heartbeat";
    /**
     * "this subscription delivers": published by a query-api whose channel has gone quiet, to tell a half-open
     * subscription from a quiet one. It says nothing about cache-sync, so it never puts the L1 back in use.
     */
    public static final String PROBE = CONTROL + "probe";
    /**
     * "any row may have changed": published by cache-sync after it emptied a cache that went back to an older dataset
     * (a Redis restarted from its saved file, a failover); every reader drops its whole L1, which may hold rows read from
     * the older dataset meanwhile. A reader of a version before it ignores it, as any control line it does not know.
     */
    public static final String FLUSH = CONTROL + "flush";
    /** How often cache-sync publishes {@link #HEARTBEAT}. */
    public static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);

    private InvalidationMessages() {
    }

    /** True when the line of {@code message} that starts at {@code from} is a control line, not a row. */
    public static boolean isControl(String message, int from) {
        return from < message.length() && message.charAt(from) == CONTROL;
    }
}
