package io.cachesync.sync.redis;

import io.cachesync.core.keys.CacheKeys;
import io.cachesync.core.keys.InvalidationMessages;
import io.cachesync.core.redis.RedisConnections;
import io.cachesync.devstack.DevRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** cache-sync's heartbeat on the invalidation channel, against a real redis-server. */
class InvalidationHeartbeatTest {
    @TempDir
    Path dir;
    DevRedis server;
    RedisClient redis;
    final List<String> received = new CopyOnWriteArrayList<>();
    final JedisPubSub listener = new JedisPubSub() {
        @Override
        public void onMessage(String channel, String message) {
            received.add(message);
        }
    };
    Thread listening;

    @BeforeEach
    void listen() {
        server = DevRedis.start(dir.resolve("redis"));
        redis = RedisConnections.client(URI.create(server.url()), 4, Duration.ofSeconds(1));
        listening = new Thread(() -> redis.subscribe(listener, CacheKeys.INVALIDATION_CHANNEL), "test-listener");
        listening.setDaemon(true);
        listening.start();
        await().alias("listener subscribed").atMost(Duration.ofSeconds(10)).until(listener::isSubscribed);
    }

    @AfterEach
    void stop() throws InterruptedException {
        listener.unsubscribe();
        listening.join(5_000);
        redis.close();
        server.stop();
    }

    @Test
    void beatsOnTheInvalidationChannelUntilClosed() {
        InvalidationHeartbeat heartbeat = InvalidationHeartbeat.start(redis, CacheKeys.INVALIDATION_CHANNEL, Duration.ofMillis(50));
        try {
            await().alias("three heartbeats").atMost(Duration.ofSeconds(10)).until(() -> received.size() >= 3);
        } finally {
            heartbeat.close();
        }
        assertThat(received).allMatch(InvalidationMessages.HEARTBEAT::equals);
        assertThat(InvalidationMessages.isControl(received.get(0), 0)).as("never read as an <entity>:<id> line").isTrue();
        int afterClose = received.size();
        await().alias("no heartbeat after close").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> received.size() == afterClose);
        heartbeat.close();   // idempotent
    }

    @Test
    void keepsBeatingAfterRedisCameBack() {
        InvalidationHeartbeat heartbeat = InvalidationHeartbeat.start(redis, CacheKeys.INVALIDATION_CHANNEL, Duration.ofMillis(50));
        try {
            await().alias("first heartbeat").atMost(Duration.ofSeconds(10)).until(() -> !received.isEmpty());
            server.freeze();      // publishes time out and fail meanwhile
            try {
                await().alias("a publish failed").atMost(Duration.ofSeconds(10)).until(heartbeat::failing);
            } finally {
                server.thaw();
            }
            int before = received.size();
            await().alias("heartbeats again").atMost(Duration.ofSeconds(10)).until(() -> received.size() > before && !heartbeat.failing());
        } finally {
            heartbeat.close();
        }
    }
}
