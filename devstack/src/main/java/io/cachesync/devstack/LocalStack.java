package io.cachesync.devstack;

import java.nio.file.Path;

/**
 * The embedded provider's stack: PostgreSQL with logical WAL, a KRaft Kafka broker and a redis-server, each on a free
 * loopback port and each stoppable and restartable on its own. Everything lives under one work directory, removed by
 * {@link #close()} unless {@code keep} was asked for.
 *
 * <p>No process is left behind: the PostgreSQL postmaster and the redis-server each have a {@link ParentDeathGuard}
 * that stops them when this JVM dies without closing the stack (even by {@code kill -9}); the broker runs in this JVM.
 * Should a guard have been killed with the JVM, {@link DevStack#start()} reaps what is left: see {@link AbandonedStacks}.
 */
public final class LocalStack extends StackOfThree {
    private LocalStack(Path workDir, boolean deleteOnClose) {
        super(workDir, deleteOnClose, StackProvider.EMBEDDED, new LocalPostgres(workDir.resolve("postgres"), FreePorts.next()),
                new LocalKafka(workDir.resolve("kafka"), FreePorts.next(), FreePorts.next()),
                new LocalRedis(workDir.resolve("redis"), FreePorts.next()));
    }

    /** Starts all three pieces under {@code workDir}; it is removed on close when {@code deleteOnClose}. */
    public static LocalStack start(Path workDir, boolean deleteOnClose) {
        LocalStack s = new LocalStack(workDir, deleteOnClose);
        s.startAll();
        return s;
    }
}
