package io.cachesync.devstack;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * The JVM that {@link OrphanedProcessesIT} kills: starts an embedded devstack, writes the pids of its PostgreSQL
 * postmaster and redis-server and its work directory to the file named by its only argument, then waits to be killed.
 */
public final class DevStackChild {
    private DevStackChild() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path report = Path.of(args[0]);
        DevStack stack = DevStack.start(StackProvider.EMBEDDED);
        Properties p = new Properties();
        p.setProperty("postgres.pid", Long.toString(stack.postgres().pid()));
        p.setProperty("redis.pid", Long.toString(stack.redis().pid()));
        p.setProperty("workDir", stack.workDir().toString());
        Path tmp = report.resolveSibling(report.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "devstack of pid " + ProcessHandle.current().pid());
        }
        Files.move(tmp, report, StandardCopyOption.ATOMIC_MOVE);
        new CountDownLatch(1).await();
    }
}
