package io.cachesync.sync.recovery;

import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.config.PostgresEndpoint;
import io.cachesync.core.consistency.Resync;
import io.cachesync.core.keys.CacheKeys;
import io.cachesync.core.keys.InvalidationMessages;
import io.cachesync.core.metrics.MetricNames;
import io.cachesync.core.redis.CacheStore;
import io.cachesync.core.redis.RedisNodes;
import io.cachesync.core.util.Threads;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.SetParams;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Rebuilds what the cache lost, by asking cdc-ingest for an incremental snapshot (a signal row):
 * <ul>
 *   <li>when Redis lost its data (restarted empty, flushed): noticed because the epoch key {@code cs:_epoch}, set when
 *       cache-sync starts, vanished — every entity is re-read;</li>
 *   <li>when Redis may have lost acknowledged writes without losing the epoch: restarted from an RDB or AOF file (which
 *       holds the data as of its last save), or a replica promoted in its master's place (replication is asynchronous).
 *       The dataset is then an older one — entries written since are back to older versions or missing, and nothing
 *       would write them again. Noticed because a Redis server the cache was on is gone: the {@code run_id} of every
 *       master ({@code INFO server}) is remembered, and when one vanished (a restart gives a new one; a failover leaves
 *       the old master's out) every row and view document is deleted and every list and search page dropped — the old
 *       dataset may hold rows deleted since, which a re-read would not remove — every query-api drops its L1
 *       ({@link InvalidationMessages#FLUSH}), and every entity is re-read: as after an empty restart, reads fill what
 *       they miss meanwhile. A server only added (a cluster grown) needs nothing. Of
 *       several cache-sync instances, the one that claims {@code cs:_rebuild:<run ids>} first does it.</li>
 *   <li>when a table's columns changed (ADD/DROP COLUMN, ALTER COLUMN … TYPE): rows not written since would keep their old shape — that
 *       entity is re-read.</li>
 * </ul>
 * Requests per entity are spaced by {@code minInterval}, so a burst of signals does not start a burst of snapshots; a
 * request that comes sooner is deferred to the end of the interval (never dropped: the later change, e.g. a DROP COLUMN
 * after an ADD COLUMN, needs its own re-read).
 */
public final class CacheRebuilder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CacheRebuilder.class);
    public static final String EPOCH_KEY = CacheKeys.EPOCH;

    private final EntityCatalog catalog;
    private final CacheStore store;
    private final PostgresEndpoint postgres;
    private final String signalTable;
    private final Duration minInterval;
    private final Counter rebuilds;
    private final Map<String, Long> lastRequest = new ConcurrentHashMap<>();
    private final Set<String> deferred = ConcurrentHashMap.newKeySet();
    private final String epoch = UUID.randomUUID().toString();
    /** The run ids of the masters at the last check; null before the first, or when INFO is not allowed (timer thread). */
    private volatile Set<String> servers;
    private volatile boolean serversUnknown;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(Threads.daemon("cachesync-rebuilder"));

    public CacheRebuilder(EntityCatalog catalog, CacheStore store, PostgresEndpoint postgres, String signalTable, Duration minInterval,
                          MeterRegistry registry) {
        this.catalog = catalog;
        this.store = store;
        this.postgres = postgres;
        this.signalTable = signalTable;
        this.minInterval = minInterval;
        this.rebuilds = Counter.builder(MetricNames.CACHE_REBUILDS).description("Incremental snapshots cache-sync requested "
                + "because Redis lost its data or a table's columns changed").register(registry);
    }

    /** Sets the epoch (if Redis has none yet), notes the servers, and checks both every {@code every}. */
    public CacheRebuilder start(Duration every) {
        try {
            store.redis().set(EPOCH_KEY, epoch, SetParams.setParams().nx());
            servers = runIds();
        } catch (RuntimeException e) {
            LOG.debug("epoch not set yet: {}", e.toString());
        }
        timer.scheduleWithFixedDelay(this::check, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** One check of the epoch and the servers (run by the timer; tests call it directly). */
    void check() {
        try {
            Set<String> now = runIds();
            Set<String> before = servers;
            boolean emptied = "OK".equals(store.redis().set(EPOCH_KEY, epoch, SetParams.setParams().nx()));
            boolean replaced = before != null && now != null && !now.containsAll(before);
            if (!emptied && !replaced) {
                servers = now;
                return;
            }
            // whoever sets the epoch again also claims the rebuild, so another instance noticing the same restart skips it;
            // a claim of this instance's own (a check that failed halfway) is finished
            String claim = CacheKeys.rebuildClaim(now == null ? List.of() : now);
            boolean claimed = "OK".equals(store.redis().set(claim, epoch, SetParams.setParams().nx().ex(Duration.ofDays(1).toSeconds())))
                    || epoch.equals(store.redis().get(claim));
            if (emptied) {
                LOG.warn("Redis lost its data (the epoch key was gone): re-reading every entity through an incremental snapshot");
                catalog.cdcFed().forEach(e -> request(e, "Redis lost its data"));
            } else if (claimed) {
                LOG.warn("a Redis server the cache was on is gone (restarted from a saved dataset, or replaced by its replica:"
                        + " run ids {} before, {} now), so writes it had acknowledged may be lost: deleting every cached row and"
                        + " re-reading every entity through an incremental snapshot", before, now);
                LOG.warn("{} cached rows and view documents deleted; reads fill them until the re-read has", emptyRows());
                // query-api may have put rows of the older dataset in its L1 since it subscribed again
                store.redis().publish(store.invalidationChannel(), InvalidationMessages.FLUSH);
                catalog.cdcFed().forEach(e -> request(e, "Redis may have lost acknowledged writes"));
            }
            servers = now; // only once handled: a check that failed halfway is done again
        } catch (RuntimeException e) {
            LOG.debug("epoch check failed (Redis unavailable?): {}", e.toString());
        }
    }

    /** Deletes every row and view document and drops every list and search page; how many rows there were. */
    private long emptyRows() {
        long deleted = 0;
        for (EntityDefinition e : catalog.all()) {
            deleted += store.deleteRows(CacheKeys.rowPattern(e.name()));
            store.dropPages(e.name());
        }
        return deleted;
    }

    /**
     * The run ids of the masters the cache is on now (one for a single Redis), or null when this user may not run
     * {@code INFO} (an ACL without it): then only a lost epoch is noticed, as warned once.
     */
    private Set<String> runIds() {
        if (serversUnknown) {
            return null;
        }
        try {
            List<String> infos = RedisNodes.clustered(store.redis()) ? RedisNodes.onEachMaster(store.redis(), j -> j.info("server"))
                    : List.of(store.redis().info("server"));
            Set<String> ids = new TreeSet<>();
            for (String info : infos) {
                info.lines().filter(l -> l.startsWith("run_id:")).findFirst().ifPresent(l -> ids.add(l.substring("run_id:".length()).trim()));
            }
            return ids;
        } catch (JedisDataException e) {
            if (String.valueOf(e.getMessage()).startsWith("NOPERM")) {
                serversUnknown = true;
                LOG.warn("Redis refuses INFO to this user ({}): a restart of Redis from a saved dataset, or a failover, that loses"
                        + " acknowledged writes is not noticed (an empty restart still is); allow +info for cache-sync's user", e.getMessage());
                return null;
            }
            throw e;
        }
    }

    /** Called by the parser when an entity's columns differ from the ones it saw before. */
    public void schemaChanged(EntityDefinition e) {
        timer.execute(() -> request(e, "its table's columns changed"));
    }

    private void request(EntityDefinition e, String why) {
        long now = System.nanoTime();
        Long last = lastRequest.get(e.name());
        if (last != null && now - last < minInterval.toNanos()) {
            if (deferred.add(e.name())) {
                timer.schedule(() -> {
                    deferred.remove(e.name());
                    request(e, why);
                }, last + minInterval.toNanos() - now, TimeUnit.NANOSECONDS);
            }
            return;
        }
        try (Connection c = postgres.connect()) {
            String id = Resync.request(c, signalTable, e);
            lastRequest.put(e.name(), now);
            rebuilds.increment();
            LOG.warn("re-reading {} because {} (signal {})", e.qualifiedTable(), why, id);
        } catch (Exception ex) {
            LOG.error("could not request a re-read of {} ({}): {}", e.qualifiedTable(), why, ex.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
