package io.cachesync.app.demo;

import io.cachesync.devstack.DevStackException;
import io.cachesync.devstack.StackProvider;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the demo was asked to do. A rate of 0 starts no writer (or no reader) at all: a quiet pipeline to drive by hand
 * with psql, curl and redis-cli.
 *
 * @param writeRate  committed writes per second, 0 for none
 * @param readRate   API reads per second, 0 for none
 * @param duration   seconds to run, or 0 to run until interrupted
 * @param portsFile  where to write the component URLs as JSON, or null
 * @param reportFile where to write the summary as JSON, or null
 * @param stack      the devstack provider ({@code embedded}, {@code testcontainers}, {@code auto}), or null for the
 *                   {@code cachesync.devstack} / {@code CACHESYNC_DEVSTACK} setting
 * @param redis      {@code standalone} (the stack's Redis) or {@code cluster} (a devstack Redis Cluster), or null for
 *                   standalone
 * @param syncInstances cache-sync instances (one Kafka Streams application: they split the partitions)
 * @param apiInstances  query-api instances, each on its own port
 */
public record DemoOptions(double writeRate, double readRate, long duration, Path portsFile, Path reportFile, String stack, String redis,
                          int syncInstances, int apiInstances) {
    /** The most instances of a service the demo starts in its one JVM. */
    public static final int MAX_INSTANCES = 8;

    /** The accepted values of {@code --redis}. */
    public static final List<String> REDIS_KINDS = List.of("standalone", "cluster");

    /** A demo on the stack's standalone Redis. */
    public DemoOptions(double writeRate, double readRate, long duration, Path portsFile, Path reportFile, String stack) {
        this(writeRate, readRate, duration, portsFile, reportFile, stack, null, 1, 1);
    }

    /** The highest {@code --write-rate}. */
    public static final double MAX_WRITE_RATE = 50_000;
    /** The highest {@code --read-rate}. */
    public static final double MAX_READ_RATE = 100_000;

    /** What is wrong with these options, as a message naming the option; empty when they are fine. */
    public Optional<String> problem() {
        if (!(writeRate >= 0 && writeRate <= MAX_WRITE_RATE)) {
            return Optional.of("--write-rate must be in [0, " + number(MAX_WRITE_RATE) + "] (0: no writes), was " + number(writeRate));
        }
        if (!(readRate >= 0 && readRate <= MAX_READ_RATE)) {
            return Optional.of("--read-rate must be in [0, " + number(MAX_READ_RATE) + "] (0: no reads), was " + number(readRate));
        }
        if (duration < 0) {
            return Optional.of("--duration must be 0 (until Ctrl-C) or a number of seconds, was " + duration);
        }
        if (reportFile != null && duration == 0) {
            return Optional.of("--report needs --duration: the summary is made after the run");
        }
        if (syncInstances < 1 || syncInstances > MAX_INSTANCES) {
            return Optional.of("--sync-instances must be in [1, " + MAX_INSTANCES + "], was " + syncInstances);
        }
        if (apiInstances < 1 || apiInstances > MAX_INSTANCES) {
            return Optional.of("--api-instances must be in [1, " + MAX_INSTANCES + "], was " + apiInstances);
        }
        if (redis != null && !REDIS_KINDS.contains(redis)) {
            return Optional.of("--redis must be one of " + REDIS_KINDS + ", was '" + redis + "'");
        }
        try {
            provider();
        } catch (DevStackException e) {
            return Optional.of(stack == null ? e.getMessage() : "--stack must be one of " + StackProvider.accepted() + ", was '" + stack + "'");
        }
        return Optional.empty();
    }

    /** Where the demo's servers run: {@code --stack} when given, else the setting (embedded when there is none). */
    public StackProvider provider() {
        return stack == null ? StackProvider.configured() : StackProvider.parse(stack);
    }

    /** True when the services use a devstack Redis Cluster. */
    public boolean cluster() {
        return "cluster".equals(redis);
    }

    /** True when the demo runs a writer thread. */
    public boolean writes() {
        return writeRate > 0;
    }

    /** True when the demo runs reader threads. */
    public boolean reads() {
        return readRate > 0;
    }

    private static String number(double d) {
        return d == Math.rint(d) && !Double.isInfinite(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
