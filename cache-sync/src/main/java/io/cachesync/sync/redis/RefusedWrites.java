package io.cachesync.sync.redis;

import io.cachesync.sync.envelope.CacheMutation;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Where a change goes whose Redis write can never succeed (DESIGN: data errors are dead-lettered, never retried
 * forever): the key holds another type than a row hash. Called on the task's writer thread before the batch counts as
 * written, so the record is in the dead-letter topic before its offset can be committed.
 */
@FunctionalInterface
public interface RefusedWrites {
    /** Without a dead-letter topic (unit tests): the batch fails, as any Redis error. */
    RefusedWrites FAIL = (m, reason) -> {
        throw new JedisDataException(reason);
    };

    void refused(CacheMutation m, String reason);
}
