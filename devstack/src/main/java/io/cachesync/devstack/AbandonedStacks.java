package io.cachesync.devstack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The second line of defence against servers left behind by a killed devstack ({@link ParentDeathGuard} is the first).
 * A devstack in a temporary directory records its JVM there ({@value #OWNER_FILE}: pid and start time); each later
 * {@link DevStack#start()} looks at the {@value #PREFIX}* directories under {@code java.io.tmpdir} and, for each whose
 * JVM is gone (no such pid, or a pid reused by a process that started at another time), stops the servers still
 * running in it and removes it.
 *
 * <p>A server counts as the devstack's only when it is that directory's PostgreSQL postmaster (the pid in its
 * {@code postmaster.pid}, a process named {@code postgres} whose working directory is that data directory) or a
 * {@code redis-server} whose working directory is that directory's {@code redis} folder or a node folder of its
 * {@value #REDIS_CLUSTER_DIR} folder (a {@link DevRedisCluster} started there). Nothing else is signalled:
 * not another user's process (its working directory cannot be read), not a directory of a live JVM, not one without
 * an owner record (a stack of an older version, or one being created right now).
 */
final class AbandonedStacks {
    private static final Logger LOG = LoggerFactory.getLogger(AbandonedStacks.class);
    static final String PREFIX = "cachesync-devstack-";
    static final String OWNER_FILE = "owner.properties";
    /** The folder of a devstack work directory where a {@link DevRedisCluster}'s nodes are reaped with the stack. */
    static final String REDIS_CLUSTER_DIR = "redis-cluster";
    private static final Duration GRACE = Duration.ofSeconds(10);
    private static final Duration GIVE_UP = Duration.ofSeconds(20);

    private AbandonedStacks() {
    }

    /** Records this JVM as the owner of {@code workDir} (written atomically, so a half-written record is never read). */
    static void claim(Path workDir) throws IOException {
        ProcessHandle self = ProcessHandle.current();
        Properties p = new Properties();
        p.setProperty("pid", Long.toString(self.pid()));
        p.setProperty("start", ProcFs.startTicks(self.pid()).orElse(""));
        Path tmp = Files.createTempFile(workDir, "owner", ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "the JVM running this devstack");
        }
        Files.move(tmp, workDir.resolve(OWNER_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Stops the servers of every abandoned devstack under {@code tmpRoot} and removes its directory; returns how many. */
    static int reap(Path tmpRoot) {
        if (!ProcFs.available() || !Files.isDirectory(tmpRoot)) {
            return 0;
        }
        int reaped = 0;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmpRoot, PREFIX + "*")) {
            for (Path dir : dirs) {
                if (isAbandoned(dir) && reapOne(dir)) {
                    reaped++;
                }
            }
        } catch (IOException e) {
            LOG.warn("devstack: cannot look for abandoned devstacks under {}: {}", tmpRoot, e.toString());
        }
        return reaped;
    }

    /** True when {@code dir} has an owner record and the JVM it names is no longer running. */
    static boolean isAbandoned(Path dir) {
        Path owner = dir.resolve(OWNER_FILE);
        if (!Files.isRegularFile(owner)) {
            return false;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(owner, StandardCharsets.UTF_8)) {
            p.load(r);
            long pid = Long.parseLong(p.getProperty("pid", "").trim());
            String start = p.getProperty("start", "").trim();
            return !start.isEmpty() && !ProcFs.isSameProcess(pid, start);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean reapOne(Path dir) {
        Map<Long, String> servers = serversOf(dir);
        if (!servers.isEmpty()) {
            LOG.warn("devstack: the JVM of {} is gone but its servers still run (pids {}); stopping them", dir, servers.keySet());
            if (!stop(servers)) {
                LOG.warn("devstack: servers of {} did not exit within {}; leaving the directory", dir, GIVE_UP);
                return false;
            }
        }
        Path claimed = dir.resolveSibling("cachesync-reaping-" + dir.getFileName() + "-" + ProcessHandle.current().pid());
        try {
            Files.move(dir, claimed, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            return false; // another devstack is reaping it
        }
        WorkDirs.delete(claimed);
        LOG.info("devstack: removed {}, left behind by a JVM that was killed", dir);
        return true;
    }

    /** The devstack's own servers still running in {@code dir}: pid → start time, the postmaster first. */
    static Map<Long, String> serversOf(Path dir) {
        Map<Long, String> servers = new LinkedHashMap<>();
        Path realDir;
        try {
            realDir = dir.toRealPath();
        } catch (IOException e) {
            return servers;
        }
        Path pgData = realDir.resolve("postgres");
        Path redisDir = realDir.resolve("redis");
        Path clusterDir = realDir.resolve(REDIS_CLUSTER_DIR);
        postmasterPid(pgData)
                .filter(pid -> ProcFs.command(pid).filter("postgres"::equals).isPresent())
                .filter(pid -> ProcFs.workingDirectory(pid).filter(pgData::equals).isPresent())
                .ifPresent(pid -> ProcFs.startTicks(pid).ifPresent(start -> servers.put(pid, start)));
        for (long pid : ProcFs.pids()) {
            if (ProcFs.command(pid).filter(c -> c.startsWith("redis-server")).isPresent()
                    && ProcFs.workingDirectory(pid).filter(cwd -> cwd.equals(redisDir) || clusterDir.equals(cwd.getParent())).isPresent()) {
                ProcFs.startTicks(pid).ifPresent(start -> servers.put(pid, start));
            }
        }
        return servers;
    }

    /** The pid in the first line of a data directory's {@code postmaster.pid}. */
    static Optional<Long> postmasterPid(Path dataDir) {
        try {
            List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"), StandardCharsets.US_ASCII);
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * A fast shutdown (SIGINT: PostgreSQL disconnects its clients, redis-server exits), SIGKILL to what is left after
     * {@link #GRACE}; true once all are gone, false after {@link #GIVE_UP}.
     */
    private static boolean stop(Map<Long, String> servers) {
        servers.forEach((pid, start) -> signal(pid, start, "INT"));
        long t0 = System.nanoTime();
        boolean killed = false;
        while (true) {
            List<Long> alive = new ArrayList<>();
            servers.forEach((pid, start) -> {
                if (ProcFs.isSameProcess(pid, start)) {
                    alive.add(pid);
                }
            });
            if (alive.isEmpty()) {
                return true;
            }
            long elapsed = System.nanoTime() - t0;
            if (elapsed > GIVE_UP.toNanos()) {
                return false;
            }
            if (!killed && elapsed > GRACE.toNanos()) {
                alive.forEach(pid -> signal(pid, servers.get(pid), "KILL"));
                killed = true;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    private static void signal(long pid, String start, String signal) {
        if (!ProcFs.isSameProcess(pid, start)) {
            return;
        }
        try {
            Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(pid))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!kill.waitFor(5, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
            }
        } catch (IOException e) {
            LOG.warn("devstack: cannot send SIG{} to {}: {}", signal, pid, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
