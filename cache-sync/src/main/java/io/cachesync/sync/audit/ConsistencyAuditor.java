package io.cachesync.sync.audit;

import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.config.PostgresEndpoint;
import io.cachesync.core.consistency.Consistency;
import io.cachesync.core.consistency.KeyCheck;
import io.cachesync.core.consistency.RowQueries;
import io.cachesync.core.redis.CacheEntry;
import io.cachesync.core.redis.CacheStore;
import io.cachesync.core.util.LogThrottle;
import io.cachesync.core.util.Threads;
import io.cachesync.sync.envelope.CacheMutation;
import io.cachesync.sync.envelope.CommitOrderVersion;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live auditor: for a configurable fraction of applied keys, after a delay, reads the row from PostgreSQL and the
 * entry from Redis and compares them. A difference is re-checked after a grace window, so that a change still in
 * flight counts as {@code converged}, not {@code stale}: the entry equals the row then, or it holds a captured change
 * committed after the first look (its version's commit position is above PostgreSQL's WAL insert position read right
 * after the first look's row) — a row updated faster than the pipeline's lag never equals PostgreSQL at a given
 * instant, yet such an entry is newer than what PostgreSQL held a grace window earlier. Results are counted in
 * {@code cachesync_consistency_checks_total{entity,result}} with result = consistent | converged | stale | extra |
 * missing (evicted, not an inconsistency) | error.
 */
public final class ConsistencyAuditor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsistencyAuditor.class);
    public static final String METRIC = "cachesync.consistency.checks";
    private static final int MAX_PENDING = 10_000;
    private static final long NO_POSITION = -1;
    /** Under real lag most checks are stale: one line a minute names an example, the counter has them all. */
    private static final Duration STALE_LOG_INTERVAL = Duration.ofMinutes(1);

    /** What a check found. */
    public enum Result { CONSISTENT, CONVERGED, STALE, EXTRA, MISSING, ERROR }

    private final PostgresEndpoint postgres;
    private final CacheStore store;
    private final MeterRegistry registry;
    private final double fraction;
    private final Duration delay;
    private final Duration grace;
    private final ScheduledThreadPoolExecutor scheduler;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<Result, LongAdder> totals = new ConcurrentHashMap<>();
    private final AtomicInteger rechecking = new AtomicInteger();
    private final LogThrottle staleLog = new LogThrottle(STALE_LOG_INTERVAL);
    private Connection connection;

    public ConsistencyAuditor(PostgresEndpoint postgres, CacheStore store, MeterRegistry registry,
                              double fraction, Duration delay, Duration grace) {
        this.postgres = postgres;
        this.store = store;
        this.registry = registry;
        this.fraction = fraction;
        this.delay = delay;
        this.grace = grace;
        this.scheduler = new ScheduledThreadPoolExecutor(1, Threads.daemon("cachesync-auditor"));
        this.scheduler.setRemoveOnCancelPolicy(true);
        for (Result r : Result.values()) {
            totals.put(r, new LongAdder());
        }
    }

    /** Called for every applied mutation; samples {@code fraction} of them. */
    public void applied(CacheMutation m) {
        if (fraction <= 0 || (fraction < 1 && ThreadLocalRandom.current().nextDouble() >= fraction)) {
            return;
        }
        if (scheduler.getQueue().size() >= MAX_PENDING || scheduler.isShutdown()) {
            return;
        }
        String epoch = m.sourceEpoch();
        scheduler.schedule(() -> check(m.entity(), m.id(), epoch), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The first look; {@code epoch} is the source epoch of the sampled change's version (null: not a captured change). */
    private void check(EntityDefinition e, String id, String epoch) {
        Look look = look(e, id);
        if (look == null) {
            return;
        }
        KeyCheck k = look.check();
        // right after the row was read: above the commit of the version it saw
        long walAfterRead = k != KeyCheck.FRESH && k != KeyCheck.MISSING && epoch != null ? walInsertPosition() : NO_POSITION;
        if (k == KeyCheck.FRESH) {
            count(e, Result.CONSISTENT);
        } else if (k == KeyCheck.MISSING) {
            count(e, Result.MISSING);
        } else {
            long firstLook = walAfterRead;
            rechecking.incrementAndGet();
            scheduler.schedule(() -> {
                rechecking.decrementAndGet();
                recheck(e, id, epoch, firstLook);
            }, grace.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** After the grace window: {@code firstLook} is PostgreSQL's WAL insert position right after the first look's read. */
    private void recheck(EntityDefinition e, String id, String epoch, long firstLook) {
        Look look = look(e, id);
        if (look == null) {
            return;
        }
        KeyCheck k = look.check();
        if (k == KeyCheck.FRESH || k != KeyCheck.MISSING && committedAfter(look.cached().version(), epoch, firstLook)) {
            count(e, Result.CONVERGED);
        } else if (k == KeyCheck.MISSING) {
            count(e, Result.MISSING);
        } else {
            staleLog.warn(LOG, "audit: {} is {} after the grace window", store.keys().row(e.name(), id), k.name().toLowerCase(Locale.ROOT));
            count(e, k == KeyCheck.EXTRA ? Result.EXTRA : Result.STALE);
        }
    }

    /**
     * Whether a cached version is a captured change committed after the WAL position {@code position}: its commit key
     * (the end of the commit decoded before its transaction) is above it, under the source epoch the sampled change had
     * (positions of another identity of the database do not compare).
     */
    private static boolean committedAfter(String version, String epoch, long position) {
        if (position == NO_POSITION || epoch == null || !epoch.equals(CommitOrderVersion.epochOf(version))) {
            return false;
        }
        return Long.compareUnsigned(CommitOrderVersion.commitKeyOf(version), position) > 0;
    }

    private long walInsertPosition() {
        try (Statement st = connection().createStatement();
             ResultSet rs = st.executeQuery("SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException ex) {
            // a standby (recovery in progress) has no insert position: the re-check compares documents only
            LOG.debug("audit: no WAL insert position ({})", ex.toString());
            return NO_POSITION;
        }
    }

    /** What the row and its entry hold now, compared. */
    private record Look(KeyCheck check, CacheEntry cached) {
    }

    /** Reads the row from PostgreSQL, then its entry from Redis; null (counted as an error) when either read failed. */
    private Look look(EntityDefinition e, String id) {
        try {
            String doc = RowQueries.document(connection(), e, id).orElse(null);
            CacheEntry cached = store.read(store.keys().row(e.name(), id));
            return new Look(Consistency.classify(doc, cached), cached);
        } catch (SQLException | RuntimeException ex) {
            LOG.debug("audit of {} {} failed: {}", e.name(), id, ex.toString());
            closeConnection();
            count(e, Result.ERROR);
            return null;
        }
    }

    private void count(EntityDefinition e, Result r) {
        totals.get(r).increment();
        counters.computeIfAbsent(e.name() + "/" + r, x -> Counter.builder(METRIC)
                .description("Sampled comparisons of a cached row with PostgreSQL, by result")
                .tag("entity", e.name()).tag("result", r.name().toLowerCase(Locale.ROOT)).register(registry)).increment();
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = postgres.connect();
            connection.setReadOnly(true);
        }
        return connection;
    }

    private void closeConnection() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException ignored) {
            // already broken
        }
        connection = null;
    }

    public long total(Result r) {
        return totals.get(r).sum();
    }

    /** Checks that could judge consistency (consistent, converged, stale, extra). */
    public long judged() {
        return total(Result.CONSISTENT) + total(Result.CONVERGED) + total(Result.STALE) + total(Result.EXTRA);
    }

    public long inconsistent() {
        return total(Result.STALE) + total(Result.EXTRA);
    }

    /** Consistency as nines over every judged check so far. */
    public double nines() {
        return Consistency.nines(judged(), inconsistent());
    }

    /** Differences seen at the first look and waiting out the grace window to be checked again. */
    public int rechecking() {
        return rechecking.get();
    }

    /** Checks scheduled but not yet run. */
    public int pending() {
        return scheduler.getQueue().size();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeConnection();
    }
}
