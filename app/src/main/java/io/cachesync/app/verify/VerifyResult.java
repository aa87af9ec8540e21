package io.cachesync.app.verify;

import java.util.List;
import java.util.Map;

/**
 * The outcome of comparing the cache with the database, per entity and in total.
 *
 * @param perEntity counts per entity
 * @param samples   a few offending keys with what differed, for the person reading the report
 */
public record VerifyResult(Map<String, Counts> perEntity, List<String> samples) {

    /** Counts of one entity. */
    public record Counts(long checked, long fresh, long stale, long missing, long extra) {
        Counts plus(Counts o) {
            return new Counts(checked + o.checked, fresh + o.fresh, stale + o.stale, missing + o.missing, extra + o.extra);
        }
    }

    public Counts total() {
        return perEntity.values().stream().reduce(new Counts(0, 0, 0, 0, 0), Counts::plus);
    }

    public boolean clean() {
        Counts t = total();
        return t.stale() == 0 && t.missing() == 0 && t.extra() == 0;
    }
}
