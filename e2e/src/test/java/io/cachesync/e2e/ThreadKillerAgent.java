package io.cachesync.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * A Java agent loaded into a running service JVM (through the attach API, {@link ServiceProcess#killThread}) that kills
 * the threads of the name given as its argument, so that a test can make a worker thread of a service die without a
 * hook in production code. It stops them with {@link Thread#stop()} (ThreadDeath is thrown in the thread, as an
 * unexpected Error would be); on a JDK where that is no longer supported it interrupts them instead. What it did is left
 * in the target's system property {@link #RESULT}: {@code stopped} or {@code interrupted}, and the number of threads.
 * <p>
 * It runs inside the service's JVM: it uses nothing outside the JDK (java.base, java.instrument).
 */
public final class ThreadKillerAgent {
    static final String RESULT = "cachesync.e2e.thread-killer";
    static final String STOPPED = "stopped";
    static final String INTERRUPTED = "interrupted";

    private ThreadKillerAgent() {
    }

    /** @param threadName the exact name of the threads to kill; none of that name fails the load (AgentInitializationException) */
    public static void agentmain(String threadName, Instrumentation inst) {
        List<Thread> targets = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(threadName) && t.isAlive()) {
                targets.add(t);
            }
        }
        if (targets.isEmpty()) {
            throw new IllegalStateException("no live thread named '" + threadName + "' in this JVM");
        }
        String how = STOPPED;
        for (Thread t : targets) {
            how = kill(t);
        }
        System.setProperty(RESULT, how + " " + targets.size());
    }

    @SuppressWarnings({"removal", "deprecation"})
    private static String kill(Thread t) {
        try {
            t.stop();
            return STOPPED;
        } catch (UnsupportedOperationException e) {
            t.interrupt(); // JDK 20 and later: Thread.stop() no longer works
            return INTERRUPTED;
        }
    }

    /** Writes the agent's jar (the manifest's Agent-Class and this class, copied from the test class path) to {@code jar}. */
    static Path writeJar(Path jar) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(new Attributes.Name("Agent-Class"), ThreadKillerAgent.class.getName());
        String entry = ThreadKillerAgent.class.getName().replace('.', '/') + ".class";
        Files.createDirectories(jar.toAbsolutePath().getParent());
        try (InputStream in = ThreadKillerAgent.class.getClassLoader().getResourceAsStream(entry);
             JarOutputStream jarOut = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            if (in == null) {
                throw new IOException(entry + " is not on the test class path");
            }
            jarOut.putNextEntry(new JarEntry(entry));
            in.transferTo(jarOut);
            jarOut.closeEntry();
        }
        return jar;
    }
}
