package io.cachesync.app.verify;

import io.cachesync.core.consistency.Consistency;
import io.cachesync.core.consistency.KeyCheck;
import io.cachesync.core.redis.CacheEntry;

import java.util.List;
import java.util.Map;

/**
 * The outcome of comparing the cache with the database, per entity and in total.
 *
 * @param perEntity counts per entity
 * @param samples   a few offending keys, for the person reading the report
 * @param offenders   the stale and extra keys (up to a bound) with what PostgreSQL and Redis held at the last look
 * @param uncacheable per entity, the rows whose key cachesync cannot address (an empty or over-long text): never cached
 *                    (their changes are dead-lettered) nor served, so not checked
 */
public record VerifyResult(Map<String, Counts> perEntity, List<String> samples, List<Offender> offenders, Map<String, Long> uncacheable) {

    public VerifyResult {
        offenders = List.copyOf(offenders);
        uncacheable = Map.copyOf(uncacheable);
    }

    public VerifyResult(Map<String, Counts> perEntity, List<String> samples, List<Offender> offenders) {
        this(perEntity, samples, offenders, Map.of());
    }

    public VerifyResult(Map<String, Counts> perEntity, List<String> samples) {
        this(perEntity, samples, List.of());
    }

    /**
     * Counts of one entity. {@code fresh}: equal at the first look; {@code converged}: different at first, equal at
     * one of the re-checks during the grace window (a change in flight); {@code stale}: different at every re-check;
     * {@code missing}: the row exists, Redis has nothing; {@code extra}: Redis holds a row the database does not have.
     */
    public record Counts(long checked, long fresh, long converged, long stale, long missing, long extra) {
        Counts plus(Counts o) {
            return new Counts(checked + o.checked, fresh + o.fresh, converged + o.converged, stale + o.stale, missing + o.missing,
                    extra + o.extra);
        }

        /** Consistency of this sample as nines (stale and extra count as inconsistent; missing does not). */
        public double nines() {
            return Consistency.nines(checked, stale + extra);
        }
    }

    /**
     * A stale or extra key, as seen at the last look (the last re-check, or the first look when there was no grace).
     *
     * @param entity           the entity name
     * @param id               the canonical id
     * @param key              the Redis key
     * @param result           {@link KeyCheck#STALE} or {@link KeyCheck#EXTRA}
     * @param rechecks         how many re-checks found the key different (all of them)
     * @param databaseDocument the row encoded as the cache encodes it ({@code ValueCodec}), null when PostgreSQL has no row
     * @param cached           what Redis held: state, version, document
     */
    public record Offender(String entity, String id, String key, KeyCheck result, int rechecks, String databaseDocument,
                           CacheEntry cached) {
    }

    public Counts total() {
        return perEntity.values().stream().reduce(new Counts(0, 0, 0, 0, 0, 0), Counts::plus);
    }

    /** True when nothing is stale or extra, and nothing is missing unless missing keys are allowed (caches that evict). */
    public boolean clean(boolean allowMissing) {
        Counts t = total();
        return t.stale() == 0 && t.extra() == 0 && (allowMissing || t.missing() == 0);
    }
}
