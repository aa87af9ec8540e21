package io.cachesync.api.cache;

import io.cachesync.core.keys.CacheKeys;
import io.cachesync.core.redis.CacheStore;
import io.cachesync.core.redis.RedisNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Redis side of the operator endpoints: what Redis reports, key listings and counts (SCAN, used here and nowhere on a
 * request path), deletes that also drop the API's L1 copies, and the window in which resync requests of an entity are
 * folded into one. The HTTP layer ({@code AdminRoutes}) only parses requests and renders answers.
 */
public final class CacheAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(CacheAdmin.class);
    /** Resync requests of an entity this close to the previous one are folded into it (each re-reads the whole table). */
    public static final Duration RESYNC_FOLD = Duration.ofMinutes(5);

    private final CacheStore store;
    private final UnifiedJedis redis;
    private final L1Cache l1;

    /** Row keys per entity, and whether the count covers every key (SCAN stopped at its limit otherwise). */
    public record KeyCounts(Map<String, Long> perEntity, boolean complete) {
    }

    /** A page of key names, and whether more keys matched. */
    public record KeyList(List<String> keys, boolean truncated) {
    }

    public CacheAdmin(CacheStore store, L1Cache l1) {
        this.store = store;
        this.redis = store.redis();
        this.l1 = l1;
    }

    /**
     * Redis' {@code INFO} fields, by name. On a cluster: the first master's, with the fields that add up (memory, clients,
     * commands, keyspace hits and misses) summed over every master, and {@code cluster_masters}.
     */
    public Map<String, String> info() {
        if (!RedisNodes.clustered(redis)) {
            return parseInfo(redis.info());
        }
        List<Map<String, String>> perMaster = RedisNodes.onEachMaster(redis, node -> parseInfo(node.info()));
        Map<String, String> m = new LinkedHashMap<>(perMaster.get(0));
        for (String field : ADDITIVE_INFO) {
            if (m.containsKey(field)) {
                m.put(field, Long.toString(perMaster.stream().mapToLong(i -> parseLong(i.get(field))).sum()));
            }
        }
        m.remove("used_memory_human");
        m.put("cluster_masters", Integer.toString(perMaster.size()));
        return m;
    }

    private static final List<String> ADDITIVE_INFO = List.of("used_memory", "maxmemory", "connected_clients", "total_commands_processed",
            "keyspace_hits", "keyspace_misses", "evicted_keys", "expired_keys");

    private static long parseLong(String v) {
        try {
            return v == null ? 0 : Long.parseLong(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Map<String, String> parseInfo(String info) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : info.split("\r?\n")) {
            int c = line.indexOf(':');
            if (c > 0 && !line.startsWith("#")) {
                m.put(line.substring(0, c), line.substring(c + 1).trim());
            }
        }
        return m;
    }

    /** Keys in Redis (on a cluster, on every master). */
    public long dbSize() {
        if (!RedisNodes.clustered(redis)) {
            return redis.dbSize();
        }
        return RedisNodes.onEachMaster(redis, node -> node.dbSize()).stream().mapToLong(Long::longValue).sum();
    }

    /** The row keys of each of {@code entities}, scanning at most {@code scanLimit} keys. */
    public KeyCounts countRows(Collection<String> entities, int scanLimit) {
        Map<String, Long> counts = new LinkedHashMap<>();
        entities.forEach(e -> counts.put(e, 0L));
        long[] scanned = {0};
        boolean complete = RedisNodes.scanWhile(redis, CacheKeys.PREFIX + "*", 1000, page -> {
            for (String k : page) {
                String rest = k.substring(CacheKeys.PREFIX.length());
                int colon = rest.indexOf(':');
                if (colon > 0 && counts.containsKey(rest.substring(0, colon))) {
                    counts.merge(rest.substring(0, colon), 1L, Long::sum);
                }
            }
            scanned[0] += page.size();
            return scanned[0] < scanLimit;
        });
        return new KeyCounts(counts, complete);
    }

    /** At most {@code limit} keys matching {@code pattern}. */
    public KeyList keys(String pattern, int limit) {
        List<String> keys = new ArrayList<>();
        boolean[] more = {false};
        boolean complete = RedisNodes.scanWhile(redis, pattern, 1000, page -> {
            for (String k : page) {
                if (keys.size() < limit) {
                    keys.add(k);
                } else {
                    more[0] = true;
                }
            }
            return keys.size() < limit;
        });
        return new KeyList(keys, more[0] || !complete);
    }

    /** Removes one row's entry (the next read fills it) and, through {@code cs:invalidate}, its L1 copies; the keys removed. */
    public long deleteRow(String entity, String canonicalId) {
        long n = redis.unlink(store.keys().row(entity, canonicalId));
        redis.publish(store.invalidationChannel(), entity + ":" + canonicalId);
        return n;
    }

    /** Removes the row keys matching {@code pattern} ({@link CacheStore#deleteRows}) and this instance's L1. */
    public long deleteRows(String pattern) {
        long deleted = store.deleteRows(pattern);
        l1.invalidateAll();
        return deleted;
    }

    /**
     * The signal of a resync of {@code entity} requested within {@link #RESYNC_FOLD}, or empty after claiming the window
     * for this request ({@code claim}); when Redis cannot say, empty (a resync too many is harmless).
     */
    public Optional<String> pendingResync(String entity, String claim) {
        String key = CacheKeys.resyncRequest(entity);
        try {
            if ("OK".equals(redis.set(key, claim, SetParams.setParams().nx().px(RESYNC_FOLD.toMillis())))) {
                return Optional.empty();
            }
            return Optional.ofNullable(redis.get(key));
        } catch (JedisException ex) {
            LOG.warn("admin: cannot check for a pending resync in Redis ({}); requesting one", ex.toString());
            return Optional.empty();
        }
    }

    /** Records the signal of the resync just requested, for {@link #RESYNC_FOLD}. */
    public void rememberResync(String entity, String signal) {
        try {
            redis.set(CacheKeys.resyncRequest(entity), signal, SetParams.setParams().px(RESYNC_FOLD.toMillis()));
        } catch (JedisException ex) {
            LOG.warn("admin: cannot record the resync request in Redis ({})", ex.toString());
        }
    }

    /** Gives the window back when the request claiming it failed. */
    public void releaseResync(String entity, String claim) {
        String key = CacheKeys.resyncRequest(entity);
        try {
            if (claim.equals(redis.get(key))) {
                redis.del(key);
            }
        } catch (JedisException ex) {
            LOG.debug("admin: cannot release the resync claim: {}", ex.toString());
        }
    }
}
