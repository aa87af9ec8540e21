package io.cachesync.app.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where the machine's CPU went during a measurement, from Linux's /proc: all cores, this JVM (cdc-ingest, cache-sync,
 * query-api, the Kafka broker and the bench's own clients), redis-server, and the rest (PostgreSQL, wrk). A figure is
 * limited by the machine when the busy share is near the number of cores. Elsewhere than on Linux it reports nothing.
 */
final class CpuMeter {
    private static final Path STAT = Path.of("/proc/stat");
    private static final double TICKS_PER_SECOND = 100;

    private final long redisPid;

    CpuMeter(long redisPid) {
        this.redisPid = redisPid;
    }

    /** Counters at one moment. */
    record Sample(long nanos, long busy, long total, long jvm, long redis) {
    }

    Sample sample() {
        long[] machine = machine();
        return new Sample(System.nanoTime(), machine[0], machine[1], process("self"), process(Long.toString(redisPid)));
    }

    /** "machine 196 % (JVM 121 %, redis-server 40 %, other 35 %)", in percent of one core; empty without /proc. */
    String since(Sample a) {
        Sample b = sample();
        if (a.total() <= 0 || b.total() <= a.total()) {
            return "";
        }
        int cores = Runtime.getRuntime().availableProcessors();
        double machine = 100.0 * cores * (b.busy() - a.busy()) / (b.total() - a.total());
        double seconds = (b.nanos() - a.nanos()) / 1e9;
        double jvm = 100.0 * (b.jvm() - a.jvm()) / TICKS_PER_SECOND / seconds;
        double redis = 100.0 * (b.redis() - a.redis()) / TICKS_PER_SECOND / seconds;
        return String.format(Locale.ROOT, "CPU: machine %.0f %% of %d00 %% (JVM %.0f %%, redis-server %.0f %%, other %.0f %%)",
                machine, cores, jvm, redis, Math.max(0, machine - jvm - redis));
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
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
