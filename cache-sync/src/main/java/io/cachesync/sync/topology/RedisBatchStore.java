package io.cachesync.sync.topology;

import io.cachesync.sync.envelope.CacheMutation;
import io.cachesync.sync.redis.RedisMutationApplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The mutations of a task not yet written to Redis. It is a state store only so that Kafka Streams flushes it before
 * every commit: {@link #flush()} / {@link #commit} write the batch through one pipeline and return only when Redis
 * acknowledged it (and everything sent before it), so an offset is never committed past an unwritten update.
 *
 * <p>When the batch is full or has lingered, the processor calls {@link #send()}: the batch goes to this task's writer
 * thread, and the stream thread parses the next batch while Redis applies this one. At most one batch is in flight per
 * task and batches are written in order, so the per-key order of the partition is kept. A failed write surfaces on the
 * stream thread at the next send or flush (before any commit), which fails the task as a synchronous write would.
 * Nothing is persisted or logged: after a crash the records are re-read.
 */
final class RedisBatchStore implements StateStore {
    private final String name;
    private final RedisMutationApplier applier;
    private final MutationListener listener;
    private final List<CacheMutation> pending = new ArrayList<>();
    private java.util.concurrent.ExecutorService writer;
    private java.util.concurrent.CompletableFuture<Void> inFlight = java.util.concurrent.CompletableFuture.completedFuture(null);
    private boolean open;

    RedisBatchStore(String name, RedisMutationApplier applier, MutationListener listener) {
        this.name = name;
        this.applier = applier;
        this.listener = listener;
    }

    void add(CacheMutation m) {
        pending.add(m);
    }

    int size() {
        return pending.size();
    }

    /** Hands the pending mutations to the writer thread, after the previous batch was written; returns without waiting. */
    void send() {
        if (pending.isEmpty()) {
            return;
        }
        awaitInFlight();
        List<CacheMutation> batch = List.copyOf(pending);
        pending.clear();
        inFlight = java.util.concurrent.CompletableFuture.runAsync(() -> {
            applier.applyAll(batch);
            batch.forEach(listener::applied);
        }, writer);
    }

    /** Writes everything pending and returns when Redis acknowledged it (Kafka Streams calls it before each commit). */
    @Override
    public void flush() {
        send();
        awaitInFlight();
    }

    private void awaitInFlight() {
        try {
            inFlight.join();
        } catch (java.util.concurrent.CompletionException e) {
            inFlight = java.util.concurrent.CompletableFuture.completedFuture(null);
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        flush();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        context.register(root, (key, value) -> { });
        String thread = "cachesync-redis-writer-" + name + "-" + context.taskId();
        writer = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, thread);
            t.setDaemon(true);
            return t;
        });
        open = true;
    }

    @Override
    public void close() {
        // a batch in flight finishes (a later owner of the partition must not be overtaken by it); unflushed mutations
        // are not lost: their offsets were not committed, so they are read again
        try {
            inFlight.join();
        } catch (java.util.concurrent.CompletionException e) {
            // the task is closing; the records are read again from the committed offset
        }
        pending.clear();
        if (writer != null) {
            writer.shutdown();
        }
        open = false;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** Builds one store per task. */
    static StoreBuilder<RedisBatchStore> builder(String name, RedisMutationApplier applier, MutationListener listener) {
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<RedisBatchStore> withCachingEnabled() {
                return this;
            }

            @Override
            public StoreBuilder<RedisBatchStore> withCachingDisabled() {
                return this;
            }

            @Override
            public StoreBuilder<RedisBatchStore> withLoggingEnabled(Map<String, String> config) {
                return this;
            }

            @Override
            public StoreBuilder<RedisBatchStore> withLoggingDisabled() {
                return this;
            }

            @Override
            public RedisBatchStore build() {
                return new RedisBatchStore(name, applier, listener);
            }

            @Override
            public Map<String, String> logConfig() {
                return Map.of();
            }

            @Override
            public boolean loggingEnabled() {
                return false;
            }

            @Override
            public String name() {
                return name;
            }
        };
    }
}
