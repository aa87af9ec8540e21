package io.cachesync.sync.topology;

import io.cachesync.core.util.Threads;
import io.cachesync.sync.envelope.CacheMutation;
import io.cachesync.sync.redis.RedisMutationApplier;
import io.cachesync.sync.redis.TaskFence;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The mutations of a task not yet written to Redis. It is a state store only so that Kafka Streams flushes it before
 * every commit: {@link #flush()} / {@link #commit} write the batch through one pipeline and return only when Redis
 * acknowledged it (and everything sent before it), so an offset is never committed past an unwritten update.
 *
 * <p>When the batch is full, the processor calls {@link #send()}: the batch goes to this task's writer thread, and the
 * stream thread parses the next batches while Redis applies this one. At most {@link #MAX_IN_FLIGHT} batches are in
 * flight per task (a full send waits for a free slot), and one thread writes them in order, so the per-key order of the
 * partition is kept. The linger punctuation calls {@link #sendIfFree()}, which never waits: while batches are in flight
 * the pending ones follow with the next send, punctuation or flush. A failed write surfaces on the stream thread at
 * the next send or flush (before any commit), and at every one after it, which fails the task as a synchronous write
 * would; the batches queued behind it are not written (their records are read again from the committed offset, like
 * the failed one).
 * Every apply carries the task's fence ({@link TaskFence}, taken when the task is initialised):
 * once a rebalance gave the task to another instance and it wrote, this store's writes are refused, and its next send
 * or flush throws {@link org.apache.kafka.streams.errors.TaskMigratedException}.
 * Nothing is persisted or logged: after a crash the records are re-read.
 */
final class RedisBatchStore implements StateStore {
    private final String name;
    private final RedisMutationApplier applier;
    private final MutationListener listener;
    private final List<CacheMutation> pending = new ArrayList<>();
    /** Batches a task may have handed to its writer and not yet seen acknowledged. */
    static final int MAX_IN_FLIGHT = 2;

    private final Semaphore slots = new Semaphore(MAX_IN_FLIGHT);
    private ExecutorService writer;
    /** The last batch handed to the writer: it finishes after every batch handed before it. */
    private CompletableFuture<Void> last = CompletableFuture.completedFuture(null);
    /** The first failed write: every later send and flush throws it, and no later batch is written. */
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private boolean open;
    /** This owner's fence of the task, set in {@link #init}. */
    private TaskFence fence;

    RedisBatchStore(String name, RedisMutationApplier applier, MutationListener listener) {
        this.name = name;
        this.applier = applier;
        this.listener = listener;
    }

    /**
     * The token of the fence this owner holds (its first copy's on a cluster): larger than every token any earlier owner
     * of the task took, so it orders owners (the view topology puts it in its documents' versions).
     */
    long incarnation() {
        return fence.incarnation();
    }

    void add(CacheMutation m) {
        pending.add(m);
    }

    int size() {
        return pending.size();
    }

    /** Hands the pending mutations to the writer thread, after waiting for a free slot; does not wait for the write. */
    void send() {
        if (pending.isEmpty()) {
            throwIfFailed();
            return;
        }
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StreamsException("interrupted while waiting to write a batch to Redis", e);
        }
        handOff();
    }

    /** Hands the pending mutations to the writer thread if a slot is free; otherwise they wait for the next send. */
    void sendIfFree() {
        if (pending.isEmpty()) {
            throwIfFailed();
            return;
        }
        if (slots.tryAcquire()) {
            handOff();
        }
    }

    /** With a slot held: queues the pending mutations on the writer, which releases the slot when done. */
    private void handOff() {
        try {
            throwIfFailed();
        } catch (RuntimeException | Error e) {
            slots.release();
            throw e;
        }
        List<CacheMutation> batch = List.copyOf(pending);
        pending.clear();
        last = CompletableFuture.runAsync(() -> {
            try {
                if (failure.get() == null) {
                    applier.applyAll(batch, fence);
                    batch.forEach(listener::applied);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            } finally {
                slots.release();
            }
        }, writer);
    }

    /**
     * A truncate of an entity's table: writes everything pending, then deletes every cached row of the entity older than
     * the truncate (on the stream thread; returns when Redis acknowledged it), so the changes after it follow it.
     */
    void truncate(CacheMutation truncate) {
        flush();
        applier.truncate(truncate.entity(), truncate.version(), fence);
    }

    /** Writes everything pending and returns when Redis acknowledged it (Kafka Streams calls it before each commit). */
    @Override
    public void flush() {
        send();
        last.join();
        throwIfFailed();
    }

    private void throwIfFailed() {
        Throwable t = failure.get();
        if (t == null) {
            return;
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error err) {
            throw err;
        }
        throw new StreamsException(t);
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
        // the task was just assigned to this instance: take its fence before anything is processed (a failure here,
        // Redis being down, fails the task's start and Kafka Streams tries again)
        fence = applier.takeFence(context.applicationId(), name, context.taskId().toString());
        writer = Executors.newSingleThreadExecutor(Threads.daemon(SyncNames.REDIS_WRITER_THREAD + name + "-" + context.taskId()));
        open = true;
    }

    @Override
    public void close() {
        // a batch in flight finishes (a later owner of the partition must not be overtaken by it); unflushed mutations
        // are not lost: their offsets were not committed, so they are read again
        last.join();
        failure.set(null);
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
