package io.cachesync.sync.model;

import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.keys.CacheKeys;
import io.cachesync.core.keys.KeyLayout;
import io.cachesync.core.redis.CacheEntry;
import io.cachesync.core.redis.CacheStore;
import io.cachesync.sync.UserEvents;
import io.cachesync.sync.envelope.CacheMutation;
import io.cachesync.sync.envelope.EnvelopeParser;
import io.cachesync.sync.envelope.PoisonRecordException;
import io.cachesync.sync.redis.RedisMutationApplier;
import io.cachesync.sync.redis.TaskFence;
import org.apache.kafka.streams.errors.TaskMigratedException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A few rows of one table, end to end through the real cache-sync code: PostgreSQL transactions that write records at
 * WAL positions and commit later, the CDC topic pgoutput and Debezium make of them (transactions whole, in commit order,
 * with {@code source.sequence}), incremental-snapshot reads, and two consumers of the topic's one partition — the owner
 * and a zombie that lost the partition — each parsing with {@link EnvelopeParser} and writing with
 * {@link RedisMutationApplier} under its own fence, against a real redis-server; and batches whose applies ran but whose
 * reply was lost, so that the owner retries them.
 *
 * <p>{@link Scheme#LEGACY} replays what the code did before issue 13: the change's own LSN as its version, a snapshot
 * read stamped with the highest LSN streamed before it, no fence, and side effects only for what an attempt wrote itself. The pinned examples run both schemes, so each
 * counter-example shows the failure and its fix.
 */
public final class PipelineModel {
    /** How versions are built and whether writers are fenced. */
    public enum Scheme { COMMIT_ORDER, LEGACY }

    public static final int ROWS = 3;

    private final CacheStore store;
    private final EntityDefinition entity;
    private final EnvelopeParser parser;
    private final RedisMutationApplier applier;
    private final Scheme scheme;
    private final String keyPrefix;

    /** The database: committed rows by id (absent: no row). */
    private final Map<Long, String> committed = new HashMap<>();
    private long wal = 1_000;
    private long lastCommit = 1_000;
    private long highestLsnStreamed = 1_000;
    private final List<Tx> open = new ArrayList<>();
    private int txSeq;

    /** The partition: events in the order Debezium publishes them, with their legacy version. */
    private final List<Event> topic = new ArrayList<>();
    private int ownerCursor;
    private int zombieCursor;
    private final TaskFence zombieFence;
    private final TaskFence ownerFence;
    private final List<String> trace = new ArrayList<>();
    int zombieBatchesRefused;
    /** Batches retried after a lost reply whose pages were not bumped (lists and searches stale until their TTL). */
    final List<String> lostSideEffects = new ArrayList<>();

    private record Change(long id, String before, String after, long lsn) {
    }

    private static final class Tx {
        final int n;
        final List<Change> changes = new ArrayList<>();
        final Map<Long, String> view = new HashMap<>();

        Tx(int n) {
            this.n = n;
        }
    }

    private record Event(byte[] value, String legacyVersion, String label) {
    }

    PipelineModel(CacheStore store, EntityDefinition entity, RedisMutationApplier applier, Scheme scheme, String name) {
        this.store = store;
        this.entity = entity;
        this.parser = new EnvelopeParser(new io.cachesync.core.catalog.EntityCatalog(List.of(entity)));
        this.applier = applier;
        this.scheme = scheme;
        this.keyPrefix = name;
        // the zombie owned the partition first; the owner took it from it in a rebalance
        this.zombieFence = applier.takeFence("model", name, "0_0");
        this.ownerFence = applier.takeFence("model", name, "0_0");
    }

    /** Row ids of this model run, distinct from other runs' (the entity's key space is shared). */
    long id(int row) {
        return Math.abs((long) keyPrefix.hashCode()) % 1_000_000 * 10 + Math.floorMod(row, ROWS) + 1;
    }

    // ------------------------------------------------------------------ the database

    void begin() {
        Tx tx = new Tx(++txSeq);
        open.add(tx);
        trace.add("begin T" + tx.n);
    }

    /** A write in open transaction {@code pick}: a new value of the row, or its delete; blocked (no-op) by another's row lock. */
    void write(int pick, int row, boolean delete) {
        if (open.isEmpty()) {
            return;
        }
        Tx tx = open.get(Math.floorMod(pick, open.size()));
        long id = id(row);
        for (Tx other : open) {
            if (other != tx && other.view.containsKey(id)) {
                return; // the row is locked by another open transaction
            }
        }
        String before = tx.view.containsKey(id) ? tx.view.get(id) : committed.get(id);
        if (delete && before == null) {
            return;
        }
        String after = delete ? null : UserEvents.row(id, "T" + tx.n + "-" + (tx.changes.size() + 1));
        long lsn = ++wal;
        tx.changes.add(new Change(id, before, after, lsn));
        tx.view.put(id, after);
        trace.add("T" + tx.n + " writes " + id + (delete ? " delete" : " " + after) + " at " + lsn);
    }

    /** Commits open transaction {@code pick}: pgoutput decodes it now, whole, with the previous commit as its key. */
    void commit(int pick) {
        if (open.isEmpty()) {
            return;
        }
        Tx tx = open.remove(Math.floorMod(pick, open.size()));
        for (Change c : tx.changes) {
            String op = c.after() == null ? "d" : c.before() == null ? "c" : "u";
            byte[] event = UserEvents.USERS.change(op, c.before(), c.after()).lastCommit(lastCommit).lsn(c.lsn()).bytes();
            topic.add(new Event(event, Long.toString(c.lsn()), "T" + tx.n + " " + op + " " + c.id() + "@" + c.lsn()));
            highestLsnStreamed = Math.max(highestLsnStreamed, c.lsn());
        }
        tx.view.forEach((id, doc) -> {
            if (doc == null) {
                committed.remove(id);
            } else {
                committed.put(id, doc);
            }
        });
        lastCommit = ++wal + 40; // the end of the commit record
        wal = lastCommit;
        trace.add("commit T" + tx.n + " at " + lastCommit);
    }

    /**
     * An incremental snapshot of the row, as Debezium runs one: a low watermark written to the signal table (its own
     * transaction), the chunk's SELECT (an open transaction's writes are not seen), a high watermark, and the read
     * emitted while the high watermark's transaction is decoded — with the last commit before it as its commit key. No
     * change of the row is decoded between the watermarks here, so Debezium drops nothing. The watermarks are not
     * published to the table's topic, but they are streamed: a legacy read took the highest LSN streamed, theirs.
     */
    void snapshotRead(int row) {
        long id = id(row);
        highestLsnStreamed = ++wal;             // low watermark insert
        lastCommit = wal = wal + 40;            // ... and its commit
        String doc = committed.get(id);         // the chunk's SELECT
        highestLsnStreamed = ++wal;             // high watermark insert
        if (doc != null) {                      // a snapshot emits nothing for a row that does not exist
            topic.add(new Event(UserEvents.USERS.read(doc).lastCommit(lastCommit).lsn(lastCommit - 30).bytes(), Long.toString(highestLsnStreamed),
                    "read " + id));
        }
        lastCommit = wal = wal + 40;            // the high watermark's commit
        trace.add("snapshot reads " + id + " = " + doc);
    }

    // ------------------------------------------------------------------ cache-sync: owner and zombie

    /** The owner applies its next {@code n} events as one batch. */
    void deliver(int n) {
        int to = Math.min(topic.size(), ownerCursor + Math.max(1, n));
        apply(topic.subList(ownerCursor, to), ownerFence, "owner");
        ownerCursor = to;
    }

    /** The owner re-reads from an earlier offset (a crash before its commit, a thread replaced). */
    void rewind(int back) {
        ownerCursor = Math.max(0, ownerCursor - back);
        trace.add("owner rewinds to " + ownerCursor);
    }

    /** The zombie, which lost the partition, applies what it had fetched: its next {@code n} events. */
    void zombieDeliver(int n) {
        int to = Math.min(topic.size(), zombieCursor + Math.max(1, n));
        if (to > zombieCursor) {
            try {
                apply(topic.subList(zombieCursor, to), zombieFence, "zombie");
            } catch (TaskMigratedException e) {
                zombieBatchesRefused++;
                trace.add("zombie refused by its fence");
            }
        }
        zombieCursor = to;
    }

    void evict(int row) {
        store.redis().del(KeyLayout.STANDALONE.row(entity.name(), Long.toString(id(row))));
        trace.add("evict " + id(row));
    }

    /**
     * The owner's next {@code n} events: their applies run in Redis, but the reply is lost (a timeout, a reset), so the
     * owner retries the batch, whose applies are now all skipped. The pages that may hold the rows must still be bumped.
     */
    void lostReply(int n) {
        int to = Math.min(topic.size(), ownerCursor + Math.max(1, n));
        List<Event> events = topic.subList(ownerCursor, to);
        if (events.isEmpty()) {
            return;
        }
        String pages = CacheKeys.searchGeneration(entity.name());
        long before = store.generation(pages);
        List<CacheMutation> batch = mutations(events, "owner (reply lost)");
        List<CacheStore.Write> writes = batch.stream().map(m -> new CacheStore.Write(KeyLayout.STANDALONE.row(entity.name(), m.id()), m.version(),
                m.document(), m.op() == CacheMutation.Op.DELETE ? entity.tombstoneTtl() : entity.ttl())).toList();
        store.applyAll(writes);      // the applies ran; their reply never came back
        trace.add("owner retries the batch");
        if (scheme == Scheme.LEGACY) {
            store.applyAll(writes);  // before issue 13 the retry sent side effects only for what it wrote itself: none
        } else {
            applier.applyAll(batch, ownerFence);
        }
        if (store.generation(pages) <= before) {
            lostSideEffects.add("a batch of " + batch.size() + " ending at event " + to);
        }
        ownerCursor = to;
    }

    private void apply(List<Event> events, TaskFence fence, String who) {
        if (events.isEmpty()) {
            return;
        }
        applier.applyAll(mutations(events, who), scheme == Scheme.LEGACY ? null : fence);
    }

    private List<CacheMutation> mutations(List<Event> events, String who) {
        List<CacheMutation> batch = new ArrayList<>(events.size());
        for (Event e : events) {
            CacheMutation m;
            try {
                m = parser.parse(io.cachesync.core.topics.TopicNames.DEFAULT.cdc("public", "users"), e.value());
            } catch (PoisonRecordException ex) {
                throw new IllegalStateException(ex);
            }
            if (scheme == Scheme.LEGACY) {
                m = new CacheMutation(m.entity(), m.id(), m.op(), e.legacyVersion(), m.document(), m.sourceTimestampMs(), m.snapshot(),
                        m.listValues());
            }
            batch.add(m);
            trace.add(who + " applies " + e.label() + " as v" + m.version());
        }
        return batch;
    }

    /** The owner reads the topic to its end. */
    PipelineModel drain() {
        trace.add("-- owner drains");
        while (ownerCursor < topic.size()) {
            deliver(100);
        }
        return this;
    }

    /** Open transactions commit, and the owner drains. */
    PipelineModel commitAllAndDrain() {
        while (!open.isEmpty()) {
            commit(0);
        }
        return drain();
    }

    // ------------------------------------------------------------------ checks

    /**
     * Every row's key is absent, or holds what the database has (a tombstone when the row does not exist), and every
     * batch retried after a lost reply bumped the pages of its rows.
     */
    void assertConverged() {
        assertThat(lostSideEffects).as("batches whose pages were not bumped after a lost reply%s", describe()).isEmpty();
        for (int row = 0; row < ROWS; row++) {
            long id = id(row);
            CacheEntry e = store.read(KeyLayout.STANDALONE.row(entity.name(), Long.toString(id)));
            String doc = committed.get(id);
            if (e.state() == CacheEntry.State.ABSENT) {
                continue;
            }
            if (doc == null) {
                assertThat(e.state()).as("row %d does not exist: absent or a tombstone%s", id, describe()).isEqualTo(CacheEntry.State.TOMBSTONE);
            } else {
                assertThat(e.state()).as("row %d exists%s", id, describe()).isEqualTo(CacheEntry.State.PRESENT);
                assertThat(cachedName(e.document())).as("row %d holds the database's value%s", id, describe()).isEqualTo(cachedName(doc));
            }
        }
    }

    /** The cached state of {@code row}: its name, "deleted" for a tombstone, "absent". */
    String cached(int row) {
        CacheEntry e = store.read(KeyLayout.STANDALONE.row(entity.name(), Long.toString(id(row))));
        return switch (e.state()) {
            case ABSENT -> "absent";
            case TOMBSTONE -> "deleted";
            case PRESENT -> cachedName(e.document());
        };
    }

    /** The database's state of {@code row}: its name, or "deleted". */
    String database(int row) {
        String doc = committed.get(id(row));
        return doc == null ? "deleted" : cachedName(doc);
    }

    private static String cachedName(String doc) {
        int at = doc.indexOf("\"name\":\"");
        return at < 0 ? doc : doc.substring(at + 8, doc.indexOf('"', at + 8));
    }

    String describe() {
        return "\n  scheme " + scheme + "\n  trace:\n    " + String.join("\n    ", trace)
                + "\n  database: " + committed + "\n  open: " + open.size();
    }

    @Override
    public String toString() {
        return Objects.toString(trace);
    }
}
