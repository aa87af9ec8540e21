package io.cachesync.api.cache;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The breaker counts Redis being unavailable, never one key's data error (issue 13: GET /v1/<entity>/popular). */
class RedisCircuitTest {
    final RedisCircuit circuit = new RedisCircuit(4, Duration.ofMillis(100), Duration.ofSeconds(30), new SimpleMeterRegistry());

    @Test
    void aKeyOfAnotherTypeIsServedFromTheDatabaseAndNeverOpensTheCircuit() {
        for (int i = 0; i < 50; i++) {
            String served = circuit.call(() -> {
                throw new JedisDataException("WRONGTYPE Operation against a key holding the wrong kind of value");
            }, () -> "from the database");
            assertThat(served).isEqualTo("from the database");
        }
        assertThat(circuit.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(circuit.call(() -> "from redis", () -> "from the database")).isEqualTo("from redis");
    }

    @Test
    void redisBeingUnreachableOpensTheCircuit() {
        for (int i = 0; i < 20; i++) {
            circuit.call(() -> {
                throw new JedisConnectionException("connection refused");
            }, () -> "from the database");
        }
        assertThat(circuit.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(circuit.call(() -> "from redis", () -> "from the database")).as("while open, Redis is not asked").isEqualTo("from the database");
    }
}
