package io.cachesync.e2e;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;

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
        pb.environment().put("CACHESYNC_LOG_LEVEL", System.getProperty("cachesync.e2e.service-log-level", "WARN")); // INFO to see into a run
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

    /**
     * Kills the threads named {@code threadName} inside this running JVM, from outside: attaches to the process (the
     * attach API, module jdk.attach) and loads {@link ThreadKillerAgent} into it, whose jar is written to target/ first.
     *
     * @return what the agent did: {@link ThreadKillerAgent#STOPPED} or {@link ThreadKillerAgent#INTERRUPTED}
     */
    String killThread(String threadName) throws IOException {
        Path agent = ThreadKillerAgent.writeJar(Path.of("target", "thread-killer-agent.jar").toAbsolutePath());
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(Long.toString(process.pid()));
        } catch (AttachNotSupportedException e) {
            throw new IllegalStateException("cannot attach to " + command + " (pid " + process.pid() + "): " + e.getMessage(), e);
        }
        try {
            vm.loadAgent(agent.toString(), threadName);
            String result = vm.getSystemProperties().getProperty(ThreadKillerAgent.RESULT, "");
            return result.split(" ")[0];
        } catch (AgentLoadException | AgentInitializationException e) {
            throw new IllegalStateException("the thread killer agent failed in " + command + " (" + threadName + "): " + e.getMessage(), e);
        } finally {
            vm.detach();
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
