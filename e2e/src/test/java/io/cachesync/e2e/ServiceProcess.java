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

    long pid() {
        return process.pid();
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

    /** SIGSTOP: the JVM freezes mid-work (a long GC pause or a stalled VM, as a zombie instance meets it). */
    void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT: the frozen JVM goes on from where it stopped, with whatever it had fetched or in flight. */
    void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            try {
                signal("CONT");
            } catch (IOException | RuntimeException e) {
                // not stopped, or already gone
            }
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
