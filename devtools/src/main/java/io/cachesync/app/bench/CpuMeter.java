package io.cachesync.app.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Where the machine's CPU went during a measurement, from Linux's /proc: all cores, this JVM (cdc-ingest, cache-sync,
 * query-api, the Kafka broker and the bench's own clients), redis-server, and the rest (PostgreSQL, wrk). A figure is
 * limited by the machine when the busy share is near the number of cores. Of the JVM's share it also names what its JIT
 * compiler threads took: a figure measured while the JIT still compiles is below what the code does once warm.
 * redis-server's share is absent when its process is not one of this host's (the devstack's testcontainers provider):
 * it is then part of the rest, or not on this machine at all. Elsewhere than on Linux it reports nothing.
 */
final class CpuMeter {
    /** A warm-up ends when the JIT compiler threads took less than this share of one core meanwhile. */
    static final double QUIET_JIT_PERCENT = 10;
    private static final Path STAT = Path.of("/proc/stat");
    private static final Path OWN_THREADS = Path.of("/proc/self/task");
    private static final double TICKS_PER_SECOND = 100;

    private final OptionalLong redisPid;

    /** {@code redisPid}: redis-server's host process, or empty when it runs in a container. */
    CpuMeter(OptionalLong redisPid) {
        this.redisPid = redisPid;
    }

    /** Counters at one moment. */
    record Sample(long nanos, long busy, long total, long jvm, long jit, long redis) {
    }

    Sample sample() {
        long[] machine = machine();
        long redis = redisPid.isPresent() ? process(Long.toString(redisPid.getAsLong())) : 0;
        return new Sample(System.nanoTime(), machine[0], machine[1], process("self"), jitCompilers(), redis);
    }

    /**
     * "machine 196 % of 200 % (JVM 121 %, of it JIT 12 %, redis-server 40 %, other 35 %)", in percent of one core
     * ("redis-server absent" when it runs in a container); empty without /proc.
     */
    String since(Sample a) {
        return between(a, sample());
    }

    /** {@link #since} between two samples. */
    String between(Sample a, Sample b) {
        if (a.total() <= 0 || b.total() <= a.total()) {
            return "";
        }
        int cores = Runtime.getRuntime().availableProcessors();
        double machine = 100.0 * cores * (b.busy() - a.busy()) / (b.total() - a.total());
        double jvm = percentOfCore(b.jvm() - a.jvm(), a, b);
        double redis = percentOfCore(b.redis() - a.redis(), a, b);
        String redisShare = redisPid.isPresent() ? String.format(Locale.ROOT, "%.0f %%", redis) : "absent";
        return String.format(Locale.ROOT, "CPU: machine %.0f %% of %d00 %% (JVM %.0f %%, of it JIT %.0f %%, redis-server %s, other %.0f %%)",
                machine, cores, jvm, jitPercent(a, b), redisShare, Math.max(0, machine - jvm - redis));
    }

    /** Percent of one core this JVM's JIT compiler threads took since {@code a} (0 without /proc). */
    double jitSince(Sample a) {
        return jitPercent(a, sample());
    }

    /** Percent of one core this JVM's JIT compiler threads took between two samples. */
    static double jitPercent(Sample a, Sample b) {
        // compiler threads come and go (UseDynamicNumberOfCompilerThreads): a gone one takes its ticks along
        return percentOfCore(Math.max(0, b.jit() - a.jit()), a, b);
    }

    private static double percentOfCore(long ticks, Sample a, Sample b) {
        double seconds = (b.nanos() - a.nanos()) / 1e9;
        return seconds <= 0 ? 0 : 100.0 * ticks / TICKS_PER_SECOND / seconds;
    }

    /** One step of a warm-up: the {@code index}-th, from 0. */
    interface WarmUpStep {
        void run(int index) throws Exception;
    }

    /** How a warm-up ended: the steps it ran and the JIT's share of a core during the last one. */
    record Warmed(int steps, double jitPercent) {
    }

    /**
     * Runs warm-up steps until the JIT compiler threads took under {@link #QUIET_JIT_PERCENT} % of a core during one,
     * at most {@code maxSteps}.
     */
    Warmed warmUntilJitQuiet(int maxSteps, WarmUpStep step) throws Exception {
        double jit = 0;
        int steps = 0;
        while (steps < maxSteps) {
            Sample from = sample();
            step.run(steps++);
            jit = jitSince(from);
            if (jit < QUIET_JIT_PERCENT) {
                break;
            }
        }
        return new Warmed(steps, jit);
    }

    /** utime + stime of this JVM's JIT compiler threads ("C1 CompilerThre", "C2 CompilerThre") in clock ticks. */
    private static long jitCompilers() {
        long ticks = 0;
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(OWN_THREADS)) {
            for (Path thread : threads) {
                try {
                    if (Files.readString(thread.resolve("comm")).contains("CompilerThre")) {
                        ticks += ticks(Files.readString(thread.resolve("stat")));
                    }
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return ticks;
    }

    /** busy and total jiffies of all cores. */
    private static long[] machine() {
        try {
            String[] f = Files.readAllLines(STAT).get(0).trim().split("\\s+");
            long user = Long.parseLong(f[1]);
            long nice = Long.parseLong(f[2]);
            long system = Long.parseLong(f[3]);
            long idle = Long.parseLong(f[4]);
            long iowait = Long.parseLong(f[5]);
            long irq = Long.parseLong(f[6]);
            long softirq = Long.parseLong(f[7]);
            long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
            long busy = user + nice + system + irq + softirq + steal;
            return new long[] {busy, busy + idle + iowait};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    /** utime + stime of a process in clock ticks (0 when unknown). */
    private static long process(String pid) {
        try {
            return ticks(Files.readString(Path.of("/proc", pid, "stat")));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** utime + stime of a /proc/.../stat line. */
    static long ticks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
