package io.cachesync.core.keys;

import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where rows and the guards of their writes live: on one Redis (standalone, Sentinel) or spread over a Redis Cluster.
 *
 * <p>{@code apply.lua} checks a row's version, its writer's fence (rule 7) and the source floor (rule 1) in one atomic
 * script, and a script may only touch keys of one hash slot on a cluster. So on a cluster the rows are spread over
 * {@link #CLUSTER_BUCKETS} buckets, each a hash tag ({@code cs:<entity>:{<tag>}:<id>}), and the fence and the source
 * floor have one copy per bucket with the same tag. The tags are chosen so that the buckets' slots are evenly spaced
 * over the 16,384 slots: a cluster whose masters own ranges of slots gets an even share of the buckets. On one Redis
 * there is one bucket and no tag, so keys stay {@code cs:<entity>:<id>} (what operators type into redis-cli).
 *
 * <p>The layout of a client follows from its kind ({@link #of}), so every service and command that reads or writes a
 * cache computes the same keys.
 */
public final class KeyLayout {
    /** Buckets of a cluster: 256 evenly spaced slots, so each master of a 3-master cluster holds 85 or 86 of them. */
    public static final int CLUSTER_BUCKETS = 256;
    private static final int SLOTS = 16384;
    private static final String[] TAGS = spacedTags(CLUSTER_BUCKETS);
    private static final Map<String, Integer> BUCKET_OF_TAG = indexOf(TAGS);

    public static final KeyLayout STANDALONE = new KeyLayout(1);
    public static final KeyLayout CLUSTER = new KeyLayout(CLUSTER_BUCKETS);

    private final int buckets;

    private KeyLayout(int buckets) {
        this.buckets = buckets;
    }

    /** The layout of the Redis a client talks to: buckets on a cluster, plain keys on one node (Sentinel's master too). */
    public static KeyLayout of(UnifiedJedis redis) {
        return redis instanceof RedisClusterClient ? CLUSTER : STANDALONE;
    }

    public boolean clustered() {
        return buckets > 1;
    }

    /** How many copies each guard (fence, source floor) has: one per bucket. */
    public int buckets() {
        return buckets;
    }

    /** The key of a row; {@code canonicalId} comes from {@link io.cachesync.core.catalog.EntityKey#canonical}. */
    public String row(String entity, String canonicalId) {
        if (!clustered()) {
            return CacheKeys.PREFIX + entity + ":" + canonicalId;
        }
        return CacheKeys.PREFIX + entity + ":{" + TAGS[bucket(entity, canonicalId)] + "}:" + canonicalId;
    }

    /** The id part of a row key, or null when the key is not a row key of the entity in this layout. */
    public String idOf(String entity, String key) {
        String p = CacheKeys.PREFIX + entity + ":";
        if (!key.startsWith(p)) {
            return null;
        }
        if (!clustered()) {
            return key.substring(p.length());
        }
        int close = key.indexOf("}:", p.length());
        return key.startsWith("{", p.length()) && close > 0 ? key.substring(close + 2) : null;
    }

    /** The bucket of a row: 0 on one Redis. */
    public int bucket(String entity, String canonicalId) {
        return clustered() ? JedisClusterCRC16.getCRC16(entity + ":" + canonicalId) % buckets : 0;
    }

    /** The bucket of a row key (or of a guard copy): the key's hash tag; 0 on one Redis. */
    public int bucketOfKey(String key) {
        if (!clustered()) {
            return 0;
        }
        int open = key.indexOf('{');
        int close = open < 0 ? -1 : key.indexOf('}', open + 1);
        Integer b = close < 0 ? null : BUCKET_OF_TAG.get(key.substring(open + 1, close));
        if (b == null) {
            throw new IllegalArgumentException("not a key of the cluster layout: " + key);
        }
        return b;
    }

    /**
     * The fence of one store of one Kafka Streams task of cache-sync (DESIGN rule 7), the copy of {@code bucket}: holds
     * the token of the task's current owner. The store is named too, because a task may hold more than one.
     */
    public String fence(String applicationId, String store, String taskId, int bucket) {
        return inBucket(CacheKeys.HELPER_PREFIX + "fence:" + applicationId + ":" + store + ":" + taskId, bucket);
    }

    /** Every copy of a fence, in bucket order. */
    public List<String> fences(String applicationId, String store, String taskId) {
        List<String> out = new ArrayList<>(buckets);
        for (int b = 0; b < buckets; b++) {
            out.add(fence(applicationId, store, taskId, b));
        }
        return out;
    }

    /** The copy of the source floor that {@code apply.lua} reads for the rows of {@code bucket}. */
    public String sourceFloor(int bucket) {
        return inBucket(CacheKeys.SOURCE, bucket);
    }

    private String inBucket(String key, int bucket) {
        if (bucket < 0 || bucket >= buckets) {
            throw new IllegalArgumentException("bucket " + bucket + " of " + buckets);
        }
        return clustered() ? key + ":{" + TAGS[bucket] + "}" : key;
    }

    /** The hash slot of bucket {@code b}'s keys on a cluster. */
    public static int slotOfBucket(int b) {
        return JedisClusterCRC16.getSlot(TAGS[b]);
    }

    /** For bucket i, the first of "b0", "b1", ... whose slot falls in the i-th of {@code n} equal ranges of slots. */
    private static String[] spacedTags(int n) {
        String[] tags = new String[n];
        int found = 0;
        for (int k = 0; found < n; k++) {
            String tag = "b" + k;
            int range = JedisClusterCRC16.getSlot(tag) / (SLOTS / n);
            if (tags[range] == null) {
                tags[range] = tag;
                found++;
            }
        }
        return tags;
    }

    private static Map<String, Integer> indexOf(String[] tags) {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < tags.length; i++) {
            m.put(tags[i], i);
        }
        return m;
    }

    @Override
    public String toString() {
        return clustered() ? "cluster layout (" + buckets + " buckets)" : "single-node layout";
    }
}
