package io.cachesync.app.verify;

import io.cachesync.core.consistency.Consistency;

import java.util.List;
import java.util.Map;

/**
 * The outcome of comparing the cache with the database, per entity and in total.
 *
 * @param perEntity counts per entity
 * @param samples   a few offending keys, for the person reading the report
 */
public record VerifyResult(Map<String, Counts> perEntity, List<String> samples) {

    /**
     * Counts of one entity. {@code fresh}: equal at the first look; {@code converged}: different at first, equal after
     * the grace window (a change in flight); {@code stale}: still different; {@code missing}: the row exists, Redis has
     * nothing; {@code extra}: Redis holds a row the database does not have.
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

    public Counts total() {
        return perEntity.values().stream().reduce(new Counts(0, 0, 0, 0, 0, 0), Counts::plus);
    }

    /** True when nothing is stale or extra, and nothing is missing unless missing keys are allowed (caches that evict). */
    public boolean clean(boolean allowMissing) {
        Counts t = total();
        return t.stale() == 0 && t.extra() == 0 && (allowMissing || t.missing() == 0);
    }
}
