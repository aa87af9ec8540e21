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
 * acknowledged it, so an offset is never committed past an unwritten update. The processor also flushes it when
 * it is full and after a short linger. Nothing is persisted or logged: after a crash the records are re-read.
 */
final class RedisBatchStore implements StateStore {
    private final String name;
    private final RedisMutationApplier applier;
    private final MutationListener listener;
    private final List<CacheMutation> pending = new ArrayList<>();
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

    @Override
    public void flush() {
        if (pending.isEmpty()) {
            return;
        }
        List<CacheMutation> batch = List.copyOf(pending);
        applier.applyAll(batch);
        pending.clear();
        batch.forEach(listener::applied);
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
        open = true;
    }

    @Override
    public void close() {
        // unflushed mutations are not lost: their offsets were not committed, so they are read again
        pending.clear();
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
