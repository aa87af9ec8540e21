package io.cachesync.core.redis;

import io.cachesync.core.keys.KeyLayout;
import io.cachesync.core.redis.CacheStore.Applied;
import io.cachesync.core.redis.CacheStore.Fence;
import io.cachesync.core.redis.CacheStore.Outcome;
import io.cachesync.core.redis.CacheStore.Write;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch of versioned applies as calls of {@code apply.lua}: one call per bucket of the key layout (on a Redis Cluster
 * the keys of a bucket share a hash slot) and up to {@link #ROWS_PER_CALL} rows, each call reading its fence and its
 * source floor once. A script call costs far more than the commands it runs (each {@code redis.call} ~0.5 – 0.8 µs,
 * docs/performance.md), so one call for many rows is what lets the versioned apply approach a plain {@code SET}.
 * Rows keep their batch order within a bucket, which is all that matters: the rows of one key share a bucket.
 */
final class ApplyCalls {
    /** Rows of one script call at most: a call blocks Redis for ~2 – 4 µs a row, so about a millisecond at most. */
    static final int ROWS_PER_CALL = 200;

    private ApplyCalls() {
    }

    /** One script call: the batch positions of its rows, its keys (guards, then rows) and its arguments. */
    record Call(int[] rows, List<String> keys, List<String> args) {
    }

    /** The calls that apply {@code writes} in order, each checked against {@code fence} (null: none). */
    static List<Call> of(List<Write> writes, Fence fence, KeyLayout layout) {
        Map<Integer, List<Integer>> byBucket = new LinkedHashMap<>();
        for (int i = 0; i < writes.size(); i++) {
            byBucket.computeIfAbsent(layout.bucketOfKey(writes.get(i).key()), b -> new ArrayList<>()).add(i);
        }
        List<Call> calls = new ArrayList<>();
        byBucket.forEach((bucket, rows) -> {
            for (int from = 0; from < rows.size(); from += ROWS_PER_CALL) {
                calls.add(call(writes, rows.subList(from, Math.min(rows.size(), from + ROWS_PER_CALL)), bucket, fence, layout));
            }
        });
        return calls;
    }

    private static Call call(List<Write> writes, List<Integer> rows, int bucket, Fence fence, KeyLayout layout) {
        boolean floor = rows.stream().anyMatch(i -> writes.get(i).sourceEpoch() != null);
        List<String> keys = new ArrayList<>(rows.size() + 2);
        List<String> args = new ArrayList<>(2 + 5 * rows.size());
        if (fence != null) {
            keys.add(fence.keys().get(bucket));
        }
        if (floor) {
            keys.add(layout.sourceFloor(bucket));
        }
        args.add(fence == null ? "" : fence.tokens().get(bucket));
        args.add(floor ? "1" : "0");
        int[] positions = new int[rows.size()];
        for (int r = 0; r < positions.length; r++) {
            Write w = writes.get(rows.get(r));
            positions[r] = rows.get(r);
            keys.add(w.key());
            args.add(w.version());
            args.add(w.op());
            args.add(w.document() == null ? "" : w.document());
            args.add(Long.toString(Math.max(1, w.ttl().toMillis())));
            args.add(w.sourceEpoch() == null ? "" : w.sourceEpoch());
        }
        return new Call(positions, keys, args);
    }

    /**
     * Puts a call's reply into {@code out} at its rows' positions. An error for the whole call (anything but one row's
     * WRONGTYPE, which is that row's {@link Outcome#REFUSED}) is thrown: the caller retries the batch.
     */
    static void decode(Call call, Object reply, Applied[] out) {
        if (reply instanceof JedisDataException e) {
            throw e;
        }
        if (reply instanceof Number fenced) {
            if (fenced.longValue() != -1) {
                throw new IllegalStateException("apply.lua answered " + fenced + " for a whole call");
            }
            for (int row : call.rows()) {
                out[row] = Applied.of(Outcome.FENCED);
            }
            return;
        }
        List<?> replies = (List<?>) reply;
        if (replies.size() != call.rows().length) {
            throw new IllegalStateException("apply.lua answered " + replies.size() + " replies for " + call.rows().length + " rows");
        }
        for (int r = 0; r < replies.size(); r++) {
            Object one = replies.get(r);
            out[call.rows()[r]] = one instanceof Number code
                    ? Applied.of(code.longValue() == 1 ? Outcome.WRITTEN : Outcome.SKIPPED)
                    : new Applied(Outcome.REFUSED, one instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(one));
        }
    }
}
