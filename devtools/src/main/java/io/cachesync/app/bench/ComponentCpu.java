package io.cachesync.app.bench;

import io.cachesync.sync.topology.SyncNames;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * CPU per component while the bench runs everything on one machine, in percent of one core: cdc-ingest (Debezium and
 * its producer), cache-sync (the stream threads and their clients), the bench's writers, the rest of this JVM (the
 * in-JVM Kafka broker above all), and PostgreSQL and redis-server from /proc when they are this host's processes. Thread
 * CPU comes from the JVM ({@link ThreadMXBean}); a thread that ended during the window is not counted.
 */
final class ComponentCpu {
    static final String INGEST = "ingest";
    static final String SYNC = "sync";
    static final String WRITERS = "writers";
    static final String BROKER_AND_OTHER = "broker_and_other";
    static final String POSTGRES = "postgres";
    static final String REDIS = "redis";
    private static final double NANOS_PER_TICK = 1e9 / 100;

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final OptionalLong postgresPid;
    private final OptionalLong redisPid;

    /** The pids are the host processes of PostgreSQL's postmaster and redis-server, or empty (in a container). */
    ComponentCpu(OptionalLong postgresPid, OptionalLong redisPid) {
        this.postgresPid = postgresPid;
        this.redisPid = redisPid;
    }

    /** CPU nanoseconds used so far, per component, at one moment. */
    record Sample(long nanos, Map<String, Long> used) {
    }

    Sample sample() {
        Map<String, Long> used = new LinkedHashMap<>();
        for (String c : new String[] {INGEST, SYNC, WRITERS, BROKER_AND_OTHER}) {
            used.put(c, 0L);
        }
        if (threads.isThreadCpuTimeSupported()) {
            for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (t != null) {
                    long cpu = threads.getThreadCpuTime(t.getThreadId());
                    if (cpu > 0) {
                        used.merge(component(t.getThreadName()), cpu, Long::sum);
                    }
                }
            }
        }
        postgresPid.ifPresent(pid -> used.put(POSTGRES, (long) (processTree(pid) * NANOS_PER_TICK)));
        redisPid.ifPresent(pid -> used.put(REDIS, (long) (ticks(Path.of("/proc", Long.toString(pid), "stat"), false) * NANOS_PER_TICK)));
        return new Sample(System.nanoTime(), used);
    }

    /** Percent of one core per component between two samples (components without a figure are left out). */
    static Map<String, Double> between(Sample a, Sample b) {
        Map<String, Double> out = new LinkedHashMap<>();
        double wall = b.nanos() - a.nanos();
        if (wall <= 0) {
            return out;
        }
        b.used().forEach((c, used) -> {
            Long before = a.used().get(c);
            if (before != null) {
                out.put(c, Math.round(1000.0 * (used - before) / wall) / 10.0);
            }
        });
        return out;
    }

    /** Which component a thread of this JVM works for, by its name. */
    static String component(String thread) {
        if (thread.startsWith("bench-")) {
            return WRITERS;
        }
        // Debezium's engine runs its task and converts records in unnamed pools (pool-N-thread-M); nothing else in this JVM
        // leaves its threads unnamed
        if (thread.contains("cachesync-ingest") || thread.contains("debezium") || thread.matches("pool-\\d+-thread-\\d+")) {
            return INGEST;
        }
        if (thread.contains("StreamThread") || thread.contains("cachesync-sync") || thread.startsWith(SyncNames.REDIS_WRITER_THREAD)) {
            return SYNC;
        }
        return BROKER_AND_OTHER;
    }

    /** The postmaster with everything it reaped (cutime, cstime) and its live children, in clock ticks. */
    private static long processTree(long postmaster) {
        long total = ticks(Path.of("/proc", Long.toString(postmaster), "stat"), true);
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path p : procs) {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (Long.parseLong(f[1]) == postmaster) {
                        total += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    }
                } catch (IOException | RuntimeException e) {
                    // the process ended meanwhile
                }
            }
        } catch (IOException e) {
            return total;
        }
        return total;
    }

    /** utime + stime (and with {@code reaped}, cutime + cstime) of a /proc stat file, 0 when unknown. */
    private static long ticks(Path stat, boolean reaped) {
        try {
            String s = Files.readString(stat);
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return reaped ? t + Long.parseLong(f[13]) + Long.parseLong(f[14]) : t;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
