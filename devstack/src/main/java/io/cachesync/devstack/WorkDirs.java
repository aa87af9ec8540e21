package io.cachesync.devstack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The work directory of a devstack started by {@link DevStack#start()}: a fresh temporary directory owned by this JVM
 * (so a later start reaps it, and the embedded servers in it, should this JVM be killed: {@link AbandonedStacks}),
 * removed when the stack closes. It holds the embedded servers' data and the files the tests and the demo write.
 */
public final class WorkDirs {
    private static final Logger LOG = LoggerFactory.getLogger(WorkDirs.class);

    private WorkDirs() {
    }

    /**
     * A fresh directory under {@code java.io.tmpdir}, claimed by this JVM, after stopping the servers and removing the
     * directories of devstacks whose JVM was killed.
     */
    static Path fresh() {
        try {
            int reaped = AbandonedStacks.reap(Path.of(System.getProperty("java.io.tmpdir")));
            if (reaped > 0) {
                LOG.info("devstack: cleaned up after {} devstack(s) whose JVM was killed", reaped);
            }
            Path workDir = Files.createTempDirectory(AbandonedStacks.PREFIX);
            AbandonedStacks.claim(workDir);
            return workDir;
        } catch (IOException e) {
            throw new DevStackException("devstack: cannot create a work directory: " + e.getMessage(), e);
        }
    }

    /** Removes {@code root} and everything under it; a failure is logged, not thrown. */
    public static void delete(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.warn("devstack: could not remove {}: {}", root, e.toString());
        }
    }
}
