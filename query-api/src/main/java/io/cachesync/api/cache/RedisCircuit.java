package io.cachesync.api.cache;

import io.cachesync.core.metrics.MetricNames;
import io.cachesync.core.redis.CacheStore;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A circuit breaker around Redis (resilience4j) with a bulkhead for the fallback: while Redis fails, reads go straight
 * to PostgreSQL, at most {@code fallbackConcurrency} at once (waiting at most {@code fallbackWait} for a slot), so a
 * cache outage does not stampede the database; beyond that the API answers 503 with Retry-After. The breaker closes
 * again on its own once Redis answers (half-open probes).
 */
public final class RedisCircuit {
    private static final Logger LOG = LoggerFactory.getLogger(RedisCircuit.class);

    /** A call that may fail with a checked exception of type E. */
    @FunctionalInterface
    public interface Call<T, E extends Exception> {
        T run() throws E;
    }

    private final CircuitBreaker breaker;
    private final Semaphore bulkhead;
    private final Duration fallbackWait;

    public RedisCircuit(int fallbackConcurrency, Duration fallbackWait, Duration openFor, MeterRegistry registry) {
        this.breaker = CircuitBreaker.of("redis", CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(20)
                .minimumNumberOfCalls(5)
                .failureRateThreshold(50)
                .waitDurationInOpenState(openFor)
                .permittedNumberOfCallsInHalfOpenState(3)
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .recordExceptions(JedisException.class)
                .build());
        this.bulkhead = new Semaphore(Math.max(1, fallbackConcurrency), true);
        this.fallbackWait = fallbackWait;
        breaker.getEventPublisher().onStateTransition(e -> LOG.warn("Redis circuit {}", e.getStateTransition()));
        Gauge.builder(MetricNames.CIRCUIT_STATE, this, RedisCircuit::stateCode).tag("name", "redis")
                .description("Circuit breaker around Redis: 0 closed, 1 open, 2 half-open").register(registry);
    }

    public static RedisCircuit unguarded() {
        return new RedisCircuit(64, Duration.ofSeconds(1), Duration.ofSeconds(5), new SimpleMeterRegistry());
    }

    /**
     * Runs {@code cached} (which talks to Redis) through the breaker; when Redis fails or the breaker is open, runs
     * {@code fallback} (which must not touch Redis) inside the bulkhead.
     */
    public <T, E extends Exception> T call(Call<T, E> cached, Call<T, E> fallback) throws E {
        if (breaker.tryAcquirePermission()) {
            long start = System.nanoTime();
            try {
                T t = cached.run();
                breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                return t;
            } catch (JedisDataException e) {
                if (CacheStore.isRecurring(e)) {
                    // a data error: Redis answered, so it is up; this one key (written as another type by something
                    // else) is served from the database without counting against the circuit
                    breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    LOG.debug("a key holds another type than cachesync's, serving from the database: {}", e.toString());
                    return degraded(fallback);
                }
                breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
                LOG.debug("Redis call failed, serving from the database: {}", e.toString());
            } catch (JedisException e) {
                breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
                LOG.debug("Redis call failed, serving from the database: {}", e.toString());
            } catch (RuntimeException | Error e) {
                breaker.releasePermission();
                throw e;
            } catch (Exception e) {
                breaker.releasePermission();
                throw e;
            }
        }
        return degraded(fallback);
    }

    private <T, E extends Exception> T degraded(Call<T, E> fallback) throws E {
        boolean acquired;
        try {
            acquired = bulkhead.tryAcquire(fallbackWait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OverloadedException("interrupted while waiting for the database fallback");
        }
        if (!acquired) {
            throw new OverloadedException("the cache is unavailable and the database fallback is at its limit");
        }
        try {
            return fallback.run();
        } finally {
            bulkhead.release();
        }
    }

    public CircuitBreaker.State state() {
        return breaker.getState();
    }

    /** True unless the breaker is open (half-open counts as available: it is probing). */
    public boolean redisAvailable() {
        return breaker.getState() != CircuitBreaker.State.OPEN && breaker.getState() != CircuitBreaker.State.FORCED_OPEN;
    }

    private double stateCode() {
        return switch (breaker.getState()) {
            case OPEN, FORCED_OPEN -> 1;
            case HALF_OPEN -> 2;
            default -> 0;
        };
    }
}
