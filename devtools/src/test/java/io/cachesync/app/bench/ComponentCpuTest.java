package io.cachesync.app.bench;

import io.cachesync.sync.topology.SyncNames;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class ComponentCpuTest {

    @ParameterizedTest
    @CsvSource({
            "debezium-postgresconnector-cachesync-change-event-source-coordinator, ingest",
            "pool-9-thread-1, ingest",
            "kafka-producer-network-thread | cachesync-ingest, ingest",
            "cachesync-sync-c0c887e1-f457-479e-9ee3-175f02ccce94-StreamThread-1, sync",
            "kafka-coordinator-heartbeat-thread | cachesync-sync, sync",
            "bench-capacity-3, writers",
            "data-plane-kafka-request-handler-0, broker_and_other",
            "C2 CompilerThread0, broker_and_other",
    })
    void eachThreadCountsForTheComponentItWorksFor(String thread, String component) {
        assertThat(ComponentCpu.component(thread)).isEqualTo(component);
    }

    @ParameterizedTest
    @CsvSource({"redis-batch-cdc-0_1", "redis-batch-commands-1_3"})
    void theThreadsWritingCacheSyncsBatchesToRedisCountForCacheSync(String storeAndTask) {
        // named as RedisBatchStore names them: they encode, send and read every Redis write of the stream thread
        assertThat(ComponentCpu.component(SyncNames.REDIS_WRITER_THREAD + storeAndTask)).isEqualTo(ComponentCpu.SYNC);
    }
}
