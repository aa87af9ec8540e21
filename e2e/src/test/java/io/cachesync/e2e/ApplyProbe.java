package io.cachesync.e2e;

import io.cachesync.core.keys.KeyLayout;
import io.cachesync.core.redis.CacheEntry;
import io.cachesync.core.redis.CacheStore;
import io.cachesync.devstack.DevStack;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long a committed change waits before it is in Redis, measured while a suite disturbs the pipeline: a writer
 * renames probe rows ({@code products} with ids from {@link #FIRST_ID}, spread over the CDC partitions) every 50 ms,
 * recording each commit's time; a watcher reads the probe keys from Redis every 10 ms and, for each new name it sees,
 * records now minus that name's commit. The longest such wait is the longest pause in applies any change met.
 */
final class ApplyProbe implements AutoCloseable {
    static final long FIRST_ID = 900_001;
    private static final Pattern SEQUENCE = Pattern.compile("\"name\":\"probe (\\d+)\"");

    private final DevStack stack;
    private final CacheStore store;
    private final int rows;
    private final Map<Long, Long> committedAt = new ConcurrentHashMap<>();
    private final Map<Long, String> committedIn = new ConcurrentHashMap<>();
    private final Map<String, Long> longestByPhase = new ConcurrentHashMap<>();
    private final Map<Long, Boolean> counted = new ConcurrentHashMap<>();
    private volatile String phase = "start";
    private final AtomicLong longestMillis = new AtomicLong();
    private final AtomicLong seen = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean writing = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private volatile Throwable failure;

    ApplyProbe(DevStack stack, CacheStore store, int rows) {
        this.stack = stack;
        this.store = store;
        this.rows = rows;
    }

    /** Inserts the probe rows (before the pipeline starts, so the snapshot has them). */
    static void seed(Connection c, int rows) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("INSERT INTO products SELECT g, 'probe 0', 'probe', 1.00, now() FROM generate_series(" + FIRST_ID + ", "
                    + (FIRST_ID + rows - 1) + ") g");
        }
    }

    ApplyProbe start() {
        threads.add(new Thread(this::write, "apply-probe-writer"));
        threads.add(new Thread(this::watch, "apply-probe-watcher"));
        threads.forEach(Thread::start);
        return this;
    }

    private void write() {
        try (Connection c = stack.postgres().connect();
             PreparedStatement rename = c.prepareStatement("UPDATE products SET name = ? WHERE id = ?")) {
            for (long seq = 1; writing.get(); seq++) {
                rename.setString(1, "probe " + seq);
                rename.setLong(2, FIRST_ID + seq % rows); // change seq goes to row seq % rows
                // recorded before the commit: the watcher may see the change before executeUpdate returns
                committedIn.put(seq, phase);
                committedAt.put(seq, System.nanoTime());
                rename.executeUpdate();
                LockSupport.parkNanos(50_000_000L);
            }
        } catch (Throwable e) {
            failure = e;
        }
    }

    private void watch() {
        KeyLayout keys = store.keys();
        List<String> probeKeys = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            probeKeys.add(keys.row("products", Long.toString(FIRST_ID + i)));
        }
        long[] lastSeen = new long[rows]; // row i holds the changes i, i + rows, i + 2 rows, ... (0: the seeded name)
        for (int i = 0; i < rows; i++) {
            lastSeen[i] = i - rows;
        }
        while (running.get()) {
            try {
                List<CacheEntry> entries = store.readAll(probeKeys);
                long now = System.nanoTime();
                for (int i = 0; i < rows; i++) {
                    CacheEntry e = entries.get(i);
                    Matcher m = e.document() == null ? null : SEQUENCE.matcher(e.document());
                    if (m != null && m.find()) {
                        // a row's changes apply in order (one partition): seeing its change `seq` means every earlier
                        // one of the row is applied too, even those a later change overwrote before this read
                        long seq = Long.parseLong(m.group(1));
                        for (long s = lastSeen[i] + rows; s <= seq; s += rows) {
                            Long at = committedAt.get(s);
                            if (at != null) {
                                long waited = (now - at) / 1_000_000;
                                seen.incrementAndGet();
                                counted.put(s, true);
                                longestMillis.accumulateAndGet(waited, Math::max);
                                longestByPhase.merge(committedIn.get(s), waited, Math::max);
                            }
                        }
                        if (seq > 0) { // 0: the seeded name, not a change of this row's sequence
                            lastSeen[i] = Math.max(lastSeen[i], seq);
                        }
                    }
                }
            } catch (RuntimeException e) {
                // Redis moving (a failover, a slot migration): the next read tries again; the wait keeps growing meanwhile
            }
            LockSupport.parkNanos(10_000_000L);
        }
    }

    /** Names the disturbance under way: changes committed from now on are reported under {@code name}. */
    void phase(String name) {
        phase = name;
    }

    /** The longest wait of the changes committed in each phase, in the order the phases came. */
    Map<String, Long> longestWaitByPhase() {
        Map<String, Long> out = new LinkedHashMap<>();
        committedIn.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(Map.Entry::getValue).distinct()
                .forEach(p -> out.put(p, longestByPhase.getOrDefault(p, -1L)));
        return out;
    }

    /** Stops changing the probe rows; the watcher goes on seeing the changes still in flight until {@link #close}. */
    void stopWriting() {
        writing.set(false);
    }

    /** The longest time a probe change waited between its commit and its first sight in Redis. */
    long longestWaitMillis() {
        return longestMillis.get();
    }

    /** Probe changes seen in Redis. */
    long seen() {
        return seen.get();
    }

    /** Probe changes committed but never seen applied (at most 20), with what Redis holds for their rows now. */
    String unseen() {
        List<String> out = new ArrayList<>();
        committedAt.keySet().stream().sorted().filter(seq -> !counted.containsKey(seq)).limit(20).forEach(seq -> out.add(seq + " (row "
                + (FIRST_ID + seq % rows) + ": " + store.read(store.keys().row("products", Long.toString(FIRST_ID + seq % rows))) + ")"));
        return out.toString();
    }

    /** Probe changes committed. */
    long committed() {
        return committedAt.size();
    }

    @Override
    public void close() throws InterruptedException {
        writing.set(false);
        running.set(false);
        for (Thread t : threads) {
            t.join(30_000);
        }
        if (failure != null) {
            throw new IllegalStateException("the probe writer failed", failure);
        }
    }
}
