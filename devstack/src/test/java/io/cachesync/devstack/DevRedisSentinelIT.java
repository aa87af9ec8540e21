package io.cachesync.devstack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The devstack's Sentinel set: three Sentinels that know the master, its replica and each other once it has started,
 * each with a config file of its own; and no process left once it is closed. Failovers are the concern of the suites
 * that use it (CacheStoreOnSentinelIT).
 */
class DevRedisSentinelIT {
    @TempDir
    Path dir;

    @Test
    void everySentinelKnowsTheSetAndCloseLeavesNoProcess() throws Exception {
        List<Long> pids;
        try (DevRedisSentinel set = DevRedisSentinel.start(dir)) {
            assertThat(set.sentinels()).hasSize(3).allMatch(s -> s.startsWith("127.0.0.1:"));
            assertThat(set.masterName()).isEqualTo("mymaster");
            int master = set.masterPort();
            for (String s : set.sentinels()) {
                try (Jedis j = ClusterNodes.connect(Integer.parseInt(s.substring(s.indexOf(':') + 1)))) {
                    Map<String, String> m = j.sentinelMaster("mymaster");
                    assertThat(m).containsEntry("port", Integer.toString(master)).containsEntry("num-slaves", "1")
                            .containsEntry("num-other-sentinels", "2");
                }
            }
            for (int i = 1; i <= 3; i++) {
                assertThat(Files.readString(dir.resolve("sentinel-" + i).resolve("sentinel.conf")))
                        .as("sentinel %d rewrote its own file", i).contains("sentinel myid");
            }
            try (Jedis j = ClusterNodes.connect(master)) {
                assertThat(j.set("k", "v")).isEqualTo("OK");
            }
            pids = set.pids();
            assertThat(pids).hasSize(5).allMatch(p -> p > 0);
        }
        assertThat(pids).noneMatch(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false));
    }
}
