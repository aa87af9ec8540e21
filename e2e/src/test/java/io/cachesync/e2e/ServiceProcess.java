package io.cachesync.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A cachesync service in its own JVM ({@code java -jar cachesync.jar <command>}), so that a test can kill -9 it. */
final class ServiceProcess implements AutoCloseable {
    private final String command;
    private final Path config;
    private final Path log;
    private Process process;

    private ServiceProcess(String command, Path config, Path log) {
        this.command = command;
        this.config = config;
        this.log = log;
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("cachesync.jar", "../app/target/cachesync.jar")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run ./mvnw verify from the repository root (the app module packages it)");
        }
        return jar;
    }

    /** @param command ingest, sync or api */
    static ServiceProcess start(String command, Path config, Path log) throws IOException {
        ServiceProcess p = new ServiceProcess(command, config, log);
        p.start();
        return p;
    }

    void start() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", jar().toString(), command, "--config", config.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("CACHESYNC_"));
        pb.environment().put("CACHESYNC_LOG_LEVEL", "WARN");
        process = pb.start();
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or committed. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(command + " did not die after SIGKILL");
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
