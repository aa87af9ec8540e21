package io.cachesync.devstack;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A devstack whose JVM is killed with SIGKILL leaves no process behind. Each test starts a devstack in a child JVM
 * ({@link DevStackChild}), kills that JVM with {@code kill -9} and watches the PostgreSQL processes (the postmaster and
 * its children) and the redis-server by pid and start time, so a reused pid never passes for a survivor.
 */
class OrphanedProcessesIT {
    private static final Duration CHILD_START = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private Process child;

    @BeforeEach
    void embeddedOnly() {
        assumeTrue(StackProvider.chosen() == StackProvider.EMBEDDED,
                "needs the embedded devstack: it watches the host processes of PostgreSQL and redis-server (cachesync.devstack=embedded)");
    }

    @AfterEach
    void killChild() throws InterruptedException {
        if (child != null) {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The guards alone: the servers exit by themselves, within seconds, with no other devstack started. */
    @Test
    void serversExitByThemselvesWhenTheirJvmIsKilled() throws Exception {
        Properties started = startChild();
        Map<Long, String> servers = serverProcesses(started);
        List<ProcessHandle> guards = child.children().filter(p -> p.info().command().orElse("").endsWith("sh")).toList();
        assertThat(guards).as("a watchdog per server").hasSize(2);

        child.destroyForcibly();
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();

        await("the servers of the killed JVM exit").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> survivors(servers).isEmpty());
        await("the watchdogs exit").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> guards.stream().noneMatch(ProcessHandle::isAlive));
        // the work directory is left: the next start's sweep removes it
        Path workDir = Path.of(started.getProperty("workDir"));
        assertThat(AbandonedStacks.isAbandoned(workDir)).isTrue();
        AbandonedStacks.reap(workDir.getParent());
        assertThat(workDir).doesNotExist();
    }

    /**
     * The guards killed too (as by {@code kill -9} of every process of the stack but the detached servers): the servers
     * keep running until the next devstack start, in this JVM, stops them and removes their work directory.
     */
    @Test
    void nextDevStackStartStopsTheServersWhenTheirWatchdogsWereKilledToo() throws Exception {
        Properties started = startChild();
        Map<Long, String> servers = serverProcesses(started);
        List<ProcessHandle> guards = child.children().filter(p -> p.info().command().orElse("").endsWith("sh")).toList();
        assertThat(guards).hasSize(2);
        guards.forEach(ProcessHandle::destroyForcibly);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> guards.stream().noneMatch(ProcessHandle::isAlive));
        child.destroyForcibly();
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(survivors(servers)).as("nothing stopped the servers yet").containsOnlyKeys(servers.keySet());

        Path workDir = Path.of(started.getProperty("workDir"));
        try (DevStack next = DevStack.start()) {
            assertThat(survivors(servers)).as("stopped before the next devstack started").isEmpty();
            assertThat(workDir).doesNotExist();
            assertThat(next.redis().ping()).isTrue();
        }
    }

    private Properties startChild() throws IOException {
        Path report = dir.resolve("child.properties");
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        child = new ProcessBuilder(java, "-Xmx512m", "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-cp", System.getProperty("java.class.path"), DevStackChild.class.getName(), report.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile())
                .start();
        await("the child JVM's devstack").atMost(CHILD_START).pollInterval(Duration.ofMillis(200))
                .failFast("the child JVM exited; see " + dir.resolve("child.log"), () -> !child.isAlive())
                .until(() -> Files.exists(report));
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(report, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p;
    }

    /** The postmaster, its children (backends and auxiliary processes) and the redis-server: pid → start time. */
    private static Map<Long, String> serverProcesses(Properties started) {
        long postmaster = Long.parseLong(started.getProperty("postgres.pid"));
        long redis = Long.parseLong(started.getProperty("redis.pid"));
        List<Long> pids = new ArrayList<>(List.of(postmaster, redis));
        ProcessHandle.of(postmaster).orElseThrow().children().forEach(c -> pids.add(c.pid()));
        Map<Long, String> servers = new LinkedHashMap<>();
        for (long pid : pids) {
            servers.put(pid, ProcFs.startTicks(pid).orElseThrow(() -> new AssertionError("pid " + pid + " is not running")));
        }
        assertThat(servers).hasSizeGreaterThan(3);
        return servers;
    }

    private static Map<Long, String> survivors(Map<Long, String> servers) {
        Map<Long, String> alive = new LinkedHashMap<>();
        servers.forEach((pid, start) -> {
            if (ProcFs.isSameProcess(pid, start)) {
                alive.put(pid, start);
            }
        });
        return alive;
    }
}
