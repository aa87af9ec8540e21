package io.cachesync.sync.redis;

import io.cachesync.core.redis.CacheStore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The changes of a batch that Redis has to apply: for every row, only its newest one — the highest version, the first
 * of equal ones — which is what applying them all in order leaves (every apply sets the whole row, its mark and its
 * TTL, and a change that is not newer than the stored version is skipped, so the older changes of a row in a batch
 * change nothing its newest does not overwrite). The others are <em>superseded</em>: their side effects are still
 * sent, but Redis is spared their applies. A row updated many times a second (a counter, a hot product) costs one
 * apply per batch instead of one per change.
 *
 * <p>Versions compare as {@code apply.lua} compares them: the longer is newer, equal lengths by their characters.
 */
final class NewestPerRow {
    /** Indexes (in the batch) of the changes to apply, one per row, in the order their rows first appear. */
    private final List<Integer> applied;
    /** For each change of the batch, the position in {@link #applied} of its row's newest change. */
    private final int[] applyOf;

    private NewestPerRow(List<Integer> applied, int[] applyOf) {
        this.applied = applied;
        this.applyOf = applyOf;
    }

    /** @param writes the writes of the batch's changes, in batch order */
    static NewestPerRow of(List<CacheStore.Write> writes) {
        List<Integer> applied = new ArrayList<>(writes.size());
        int[] applyOf = new int[writes.size()];
        Map<String, Integer> slotOfKey = new HashMap<>(writes.size() * 2);
        for (int i = 0; i < writes.size(); i++) {
            Integer slot = slotOfKey.putIfAbsent(writes.get(i).key(), applied.size());
            if (slot == null) {
                applyOf[i] = applied.size();
                applied.add(i);
            } else {
                applyOf[i] = slot;
                if (newer(writes.get(i).version(), writes.get(applied.get(slot)).version())) {
                    applied.set(slot, i);
                }
            }
        }
        return new NewestPerRow(applied, applyOf);
    }

    static boolean newer(String a, String b) {
        return a.length() != b.length() ? a.length() > b.length() : a.compareTo(b) > 0;
    }

    /** Indexes (in the batch) of the changes to apply: one per row. */
    List<Integer> applied() {
        return applied;
    }

    /** The position in {@link #applied()} of the change that stands for change {@code i} of the batch. */
    int applyOf(int i) {
        return applyOf[i];
    }

    /** Whether change {@code i} of the batch is applied itself (not superseded by a newer change of its row). */
    boolean isApplied(int i) {
        return applied.get(applyOf[i]) == i;
    }

    /** How many changes of the batch are superseded. */
    int superseded() {
        return applyOf.length - applied.size();
    }
}
