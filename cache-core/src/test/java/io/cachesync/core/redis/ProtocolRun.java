package io.cachesync.core.redis;

import redis.clients.jedis.UnifiedJedis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One row of the consistency protocol (DESIGN "The consistency protocol") played against a real redis-server through
 * {@link CacheStore}, next to a model of the database that owns the row.
 *
 * <p>The model: the database's commit log of the row (each write has a strictly increasing version, like an LSN, and
 * a document or a delete); the same log is the row's CDC topic, read by a cache-sync consumer whose position is
 * {@link #cursor}; three query-api readers, each going through lease, database read and fill as
 * {@code ReadThroughCache} does (the database read always follows the lease). Steps that make no sense in a reader's
 * current state (a fill before the database read, a second miss while a request is in flight) do nothing, so any
 * generated list of steps is a valid interleaving and shrinks freely.
 *
 * <p>Safety invariants are checked after every step; {@link #assertConvergedToDatabase()} is the liveness check for
 * after the pipeline has caught up.
 */
final class ProtocolRun {
    static final Duration VALUE_TTL = Duration.ofSeconds(60);
    static final Duration TOMBSTONE_TTL = Duration.ofSeconds(60);
    static final Duration LEASE_TTL = Duration.ofSeconds(2);
    static final int READERS = 3;

    /** A committed write of the row: the database state after it, and the CDC event it produces. */
    record Write(int n, long version, String document) {
        boolean isDelete() {
            return document == null;
        }

        String v() {
            return Long.toString(version);
        }

        @Override
        public String toString() {
            return "#" + n + "(v" + version + (isDelete() ? " delete" : " " + document) + ")";
        }
    }

    /** One step of an interleaving. */
    sealed interface Step permits Commit, DeliverNext, Rewind, Deliver, Advance, Miss, ReadDb, Fill, Release, Evict {
        void play(ProtocolRun run);
    }

    /** A transaction commits a new version of the row ({@code gap} above the previous one), or deletes it. */
    record Commit(long gap, boolean delete) implements Step {
        public void play(ProtocolRun run) {
            run.commit(gap, delete);
        }

        @Override
        public String toString() {
            return delete ? "commit(+" + gap + ", delete)" : "commit(+" + gap + ")";
        }
    }

    /** cache-sync consumes the next record of the row's topic (Kafka per-key order). */
    record DeliverNext() implements Step {
        public void play(ProtocolRun run) {
            run.deliverNext();
        }

        @Override
        public String toString() {
            return "deliverNext";
        }
    }

    /**
     * The consumer goes back {@code back} records: a crash before the offset commit, Debezium re-streaming from the
     * slot's confirmed LSN, an operator's offset reset. What follows is a replay in order: duplicates, and older
     * changes applied again after newer ones.
     */
    record Rewind(int back) implements Step {
        public void play(ProtocolRun run) {
            run.rewind(back);
        }

        @Override
        public String toString() {
            return "rewind(" + back + ")";
        }
    }

    /** Applies any committed change (index {@code pick} modulo the log size), ignoring topic order. */
    record Deliver(int pick) implements Step {
        public void play(ProtocolRun run) {
            run.deliverAny(pick);
        }

        @Override
        public String toString() {
            return "deliver(" + pick + ")";
        }
    }

    /**
     * Reader {@code r}'s request goes one phase further, as in ReadThroughCache: idle, it reads the key and on a miss
     * takes a lease; holding a lease, it reads the database; having read, it fills.
     */
    record Advance(int reader) implements Step {
        public void play(ProtocolRun run) {
            run.advance(reader);
        }

        @Override
        public String toString() {
            return "advance(r" + reader + ")";
        }
    }

    /** Reader misses: read, and on ABSENT take a lease with a fresh token. */
    record Miss(int reader) implements Step {
        public void play(ProtocolRun run) {
            run.miss(reader);
        }

        @Override
        public String toString() {
            return "miss(r" + reader + ")";
        }
    }

    /** Reader holding a lease reads the database's current row (or "no row"). */
    record ReadDb(int reader) implements Step {
        public void play(ProtocolRun run) {
            run.readDb(reader);
        }

        @Override
        public String toString() {
            return "readDb(r" + reader + ")";
        }
    }

    /** Reader fills with what it read from the database (possibly stale by now). */
    record Fill(int reader) implements Step {
        public void play(ProtocolRun run) {
            run.fill(reader);
        }

        @Override
        public String toString() {
            return "fill(r" + reader + ")";
        }
    }

    /** Reader gives its lease back (its database read failed). */
    record Release(int reader) implements Step {
        public void play(ProtocolRun run) {
            run.release(reader);
        }

        @Override
        public String toString() {
            return "release(r" + reader + ")";
        }
    }

    /** The key disappears: TTL expiry or eviction under memory pressure (DEL). */
    record Evict() implements Step {
        public void play(ProtocolRun run) {
            run.evict();
        }

        @Override
        public String toString() {
            return "evict";
        }
    }

    private static final class Reader {
        String token;
        boolean hasRead;
        String snapshot;
        int appliesAtLease;
        int evictionsAtLease;
        boolean leasedBeforeCatchUp;

        void reset() {
            token = null;
            hasRead = false;
            snapshot = null;
        }
    }

    private final CacheStore store;
    private final UnifiedJedis redis;
    private final String key;

    private final List<Write> log = new ArrayList<>();
    private final Set<String> committedDocuments = new HashSet<>();
    private final BitSet delivered = new BitSet();
    private int cursor;
    private long highestVersionDelivered;
    private final Reader[] readers = new Reader[READERS];
    private int tokenSeq;

    private int applies;
    private int evictions;
    private boolean cdcAppliedSinceKeyGone;
    private final List<String> trace = new ArrayList<>();

    // what happened, for the statistics of the properties
    int fillsKept;
    int staleFillsDropped;
    int staleSnapshotsFilled;
    int olderAppliedAfterNewer;
    int fillsKeptAfterCatchUp;
    int fillsFromBeforeCatchUpDropped;
    private boolean caughtUp;
    private int appliesAtCatchUp;

    ProtocolRun(CacheStore store, String key) {
        this.store = store;
        this.redis = store.redis();
        this.key = key;
        for (int i = 0; i < READERS; i++) {
            readers[i] = new Reader();
        }
    }

    String key() {
        return key;
    }

    /** Plays the steps in order, checking the safety invariants after each. */
    ProtocolRun play(List<? extends Step> steps) {
        for (Step s : steps) {
            s.play(this);
            checkInvariants();
        }
        return this;
    }

    /**
     * Plays steps after the pipeline has caught up (no commits among them): the key must stay converged after each,
     * whatever in-flight readers and evictions do.
     */
    ProtocolRun playStayingConverged(List<? extends Step> steps) {
        trace.add("-- caught up");
        caughtUp = true;
        appliesAtCatchUp = applies;
        assertConvergedToDatabase();
        for (Step s : steps) {
            assertThat(s).as("no commits after the catch-up").isNotInstanceOf(Commit.class);
            s.play(this);
            checkInvariants();
            assertConvergedToDatabase();
        }
        return this;
    }

    ProtocolRun play(Step... steps) {
        return play(List.of(steps));
    }

    // ------------------------------------------------------------------ the database and the CDC pipeline

    void commit(long gap, boolean delete) {
        long version = (log.isEmpty() ? 0 : log.get(log.size() - 1).version()) + gap;
        int n = log.size() + 1;
        String doc = delete ? null : "{\"id\":1,\"n\":" + n + "}";
        Write w = new Write(n, version, doc);
        log.add(w);
        if (doc != null) {
            committedDocuments.add(doc);
        }
        trace.add("commit " + w);
    }

    /** The database's row now: its document, or null when there is no row. */
    String databaseRow() {
        return log.isEmpty() ? null : log.get(log.size() - 1).document();
    }

    private void apply(int i) {
        Write w = log.get(i);
        boolean written = store.apply(key, w.v(), w.document(), w.isDelete() ? TOMBSTONE_TTL : VALUE_TTL);
        if (w.version() < highestVersionDelivered) {
            olderAppliedAfterNewer++;
        }
        highestVersionDelivered = Math.max(highestVersionDelivered, w.version());
        delivered.set(i);
        applies++;
        cdcAppliedSinceKeyGone = true;
        trace.add("apply " + w + (written ? " written" : " skipped"));
    }

    void deliverNext() {
        if (cursor < log.size()) {
            apply(cursor++);
        }
    }

    void rewind(int back) {
        cursor = Math.max(0, cursor - back);
        trace.add("rewind to offset " + cursor);
    }

    void deliverAny(int pick) {
        if (!log.isEmpty()) {
            apply(Math.floorMod(pick, log.size()));
        }
    }

    /** The consumer catches up: reads the topic from its position to the end, in order. */
    ProtocolRun drainToEndOfLog() {
        trace.add("-- drain to the end of the topic");
        while (cursor < log.size()) {
            apply(cursor++);
            checkInvariants();
        }
        return this;
    }

    /** Every change never applied so far is applied once, in commit order (no topic order before that). */
    ProtocolRun drainUndelivered() {
        trace.add("-- drain every change not yet applied");
        for (int i = 0; i < log.size(); i++) {
            if (!delivered.get(i)) {
                apply(i);
                checkInvariants();
            }
        }
        cursor = log.size();
        return this;
    }

    // ------------------------------------------------------------------ query-api readers

    void advance(int r) {
        Reader reader = readers[r];
        if (reader.token == null) {
            miss(r);
        } else if (!reader.hasRead) {
            readDb(r);
        } else {
            fill(r);
        }
    }

    void miss(int r) {
        Reader reader = readers[r];
        if (reader.token != null) {
            return; // this reader's request is still in flight
        }
        CacheEntry seen = store.read(key);
        if (seen.state() != CacheEntry.State.ABSENT) {
            trace.add("r" + r + " hit " + seen);
            return;
        }
        String token = "r" + r + "-" + (++tokenSeq);
        LeaseOutcome outcome = store.lease(key, token, LEASE_TTL);
        if (outcome.kind() == LeaseOutcome.Kind.LEASED) {
            reader.token = token;
            reader.appliesAtLease = applies;
            reader.evictionsAtLease = evictions;
            reader.leasedBeforeCatchUp = !caughtUp;
            trace.add("r" + r + " leased " + token);
        } else {
            trace.add("r" + r + " lease " + outcome.kind() + " " + outcome.entry());
        }
    }

    void readDb(int r) {
        Reader reader = readers[r];
        if (reader.token == null || reader.hasRead) {
            return;
        }
        reader.snapshot = databaseRow();
        reader.hasRead = true;
        trace.add("r" + r + " read database: " + (reader.snapshot == null ? "no row" : reader.snapshot));
    }

    void fill(int r) {
        Reader reader = readers[r];
        if (reader.token == null || !reader.hasRead) {
            return;
        }
        String doc = reader.snapshot;
        boolean kept = store.fill(key, reader.token, doc, doc == null ? TOMBSTONE_TTL : VALUE_TTL);
        trace.add("r" + r + " fill " + (doc == null ? "no row" : doc) + (kept ? " kept" : " dropped"));
        if (kept) {
            assertThat(applies).as("a fill was kept although a CDC apply removed its lease%s", describe())
                    .isEqualTo(reader.appliesAtLease);
            assertThat(evictions).as("a fill was kept although its lease was evicted%s", describe())
                    .isEqualTo(reader.evictionsAtLease);
            fillsKept++;
            if (caughtUp) {
                fillsKeptAfterCatchUp++;
            }
            if (!java.util.Objects.equals(doc, databaseRow())) {
                staleSnapshotsFilled++;
            }
        } else if (applies > reader.appliesAtLease) {
            staleFillsDropped++;
        }
        if (!kept && caughtUp && reader.leasedBeforeCatchUp) {
            fillsFromBeforeCatchUpDropped++;
        }
        reader.reset();
    }

    void release(int r) {
        Reader reader = readers[r];
        if (reader.token == null) {
            return;
        }
        store.release(key, reader.token);
        trace.add("r" + r + " released " + reader.token);
        reader.reset();
    }

    void evict() {
        redis.del(key);
        evictions++;
        cdcAppliedSinceKeyGone = false;
        trace.add("evict");
    }

    // ------------------------------------------------------------------ checks

    /**
     * After every step: a fill never overwrites a CDC-written value (origin {@code fill} only while no CDC apply
     * happened since the key was last gone, and always at version 0), and nothing in Redis was invented.
     */
    void checkInvariants() {
        Map<String, String> h = redis.hgetAll(key);
        if ("fill".equals(h.get("o"))) {
            assertThat(h.get("v")).as("a fill is stored at version 0%s", describe()).isEqualTo("0");
            assertThat(cdcAppliedSinceKeyGone)
                    .as("origin is 'fill' although a CDC apply happened since the key was last gone%s", describe())
                    .isFalse();
        }
        if (h.containsKey("d")) {
            assertThat(h).as("an entry is a value or a tombstone, never both%s", describe()).doesNotContainKey("x");
            assertThat(committedDocuments).as("Redis holds a document the database never had%s", describe())
                    .contains(h.get("d"));
        }
    }

    /**
     * Once every change has been applied: the entry is absent, or exactly the database's current row (at the last
     * change's version, or at 0 when a reader filled it after that change was applied); a tombstone only when the row
     * does not exist.
     */
    void assertConvergedToDatabase() {
        CacheEntry e = store.read(key);
        Write last = log.isEmpty() ? null : log.get(log.size() - 1);
        String lastVersion = last == null ? "0" : last.v();
        String row = databaseRow();
        if (e.state() == CacheEntry.State.ABSENT) {
            return;
        }
        if (row == null) {
            assertThat(e.state()).as("the row does not exist, so the key is absent or a tombstone%s", describe())
                    .isEqualTo(CacheEntry.State.TOMBSTONE);
            assertThat(e.version()).as("tombstone version%s", describe()).isIn(lastVersion, "0");
        } else {
            assertThat(e.state()).as("the row exists, so the key is absent or holds it%s", describe())
                    .isEqualTo(CacheEntry.State.PRESENT);
            assertThat(e.document()).as("the key holds the database's last value%s", describe()).isEqualTo(row);
            assertThat(e.version()).as("version of the cached row%s", describe()).isIn(lastVersion, "0");
        }
    }

    CacheEntry entry() {
        return store.read(key);
    }

    String origin() {
        return redis.hget(key, "o");
    }

    /** What the final entry looks like, for statistics: ABSENT, PRESENT/cdc, PRESENT/fill, TOMBSTONE/cdc ... */
    String finalShape() {
        CacheEntry e = store.read(key);
        if (e.state() == CacheEntry.State.ABSENT) {
            return "ABSENT";
        }
        return e.state() + ("0".equals(e.version()) ? " by a fill" : " by cdc");
    }

    String describe() {
        return "\n  database log: " + log + "\n  database row: " + (databaseRow() == null ? "no row" : databaseRow())
                + "\n  redis " + key + ": " + redis.hgetAll(key)
                + "\n  trace:\n    " + String.join("\n    ", trace);
    }
}
