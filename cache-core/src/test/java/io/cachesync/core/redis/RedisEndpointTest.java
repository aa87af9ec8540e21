package io.cachesync.core.redis;

import io.cachesync.core.config.Settings;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The one Redis endpoint every service builds its clients from: which keys select which deployment, and what is refused. */
class RedisEndpointTest {
    private static RedisEndpoint read(Map<String, String> m, List<String> problems) {
        return RedisEndpoint.from(Settings.of(m), problems);
    }

    @Test
    void sentinelModeReadsTheSentinelsAndTheMasterNameAndKeepsTheUrlForCredentials() {
        List<String> problems = new ArrayList<>();
        RedisEndpoint e = read(Map.of("redis.url", "redis://:s3cret@127.0.0.1:6379", "redis.mode", "sentinel",
                "redis.nodes", "s1:26379,s2:26380", "redis.sentinel-master", "cache"), problems);

        assertThat(problems).isEmpty();
        assertThat(e.mode()).isEqualTo(RedisEndpoint.Mode.SENTINEL);
        assertThat(e.nodes()).containsExactly("s1:26379", "s2:26380");
        assertThat(e.sentinelMaster()).isEqualTo("cache");
        assertThat(e.url().getUserInfo()).isEqualTo(":s3cret");
        assertThat(e.toString()).contains("redis.mode=sentinel", "master=cache", "sentinels=[s1:26379, s2:26380]")
                .doesNotContain("s3cret");
    }

    @Test
    void theMasterNameDefaultsToMymaster() {
        List<String> problems = new ArrayList<>();
        RedisEndpoint e = read(Map.of("redis.mode", "sentinel", "redis.nodes", "127.0.0.1:26379"), problems);
        assertThat(problems).isEmpty();
        assertThat(e.sentinelMaster()).isEqualTo("mymaster");
        assertThat(e.url()).isEqualTo(URI.create("redis://127.0.0.1:6379"));
    }

    @Test
    void sentinelModeWithoutSentinelsIsRefused() {
        List<String> problems = new ArrayList<>();
        read(Map.of("redis.mode", "sentinel"), problems);
        assertThat(problems).containsExactly("redis.nodes must list the Sentinels (host:port,...) when redis.mode is sentinel");
    }

    @Test
    void standaloneModeWithNodesIsRefused() {
        List<String> problems = new ArrayList<>();
        read(Map.of("redis.mode", "standalone", "redis.nodes", "127.0.0.1:26379"), problems);
        assertThat(problems).singleElement().asString()
                .startsWith("redis.nodes is set but redis.mode is standalone")
                .contains("set redis.mode to cluster or sentinel, or empty redis.nodes");
    }

    @Test
    void standaloneIsTheDefault() {
        List<String> problems = new ArrayList<>();
        RedisEndpoint e = read(Map.of(), problems);
        assertThat(problems).isEmpty();
        assertThat(e.mode()).isEqualTo(RedisEndpoint.Mode.STANDALONE);
        assertThat(e.nodes()).isEmpty();
    }
}
