package io.cachesync.core.util;

import org.junit.jupiter.api.Test;

import java.util.concurrent.ThreadFactory;

import static org.assertj.core.api.Assertions.assertThat;

class ThreadsTest {

    @Test
    void theFirstThreadHasTheNameAndIsADaemon() {
        Thread t = Threads.daemon("cachesync-test").newThread(() -> { });

        assertThat(t.getName()).isEqualTo("cachesync-test");
        assertThat(t.isDaemon()).isTrue();
    }

    @Test
    void laterThreadsAreNumberedFromTwo() {
        ThreadFactory factory = Threads.daemon("cachesync-pool");

        Thread first = factory.newThread(() -> { });
        Thread second = factory.newThread(() -> { });
        Thread third = factory.newThread(() -> { });

        assertThat(first.getName()).isEqualTo("cachesync-pool");
        assertThat(second.getName()).isEqualTo("cachesync-pool-2");
        assertThat(third.getName()).isEqualTo("cachesync-pool-3");
        assertThat(third.isDaemon()).isTrue();
    }

    @Test
    void eachFactoryCountsItsOwnThreads() {
        Threads.daemon("cachesync-a").newThread(() -> { });

        assertThat(Threads.daemon("cachesync-a").newThread(() -> { }).getName()).isEqualTo("cachesync-a");
    }

    @Test
    void theThreadRunsTheTask() throws InterruptedException {
        boolean[] ran = new boolean[1];
        Thread t = Threads.daemon("cachesync-runs").newThread(() -> ran[0] = true);

        t.start();
        t.join(10_000);

        assertThat(ran[0]).isTrue();
    }
}
