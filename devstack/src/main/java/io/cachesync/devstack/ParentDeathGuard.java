package io.cachesync.devstack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Makes a server process this JVM started exit when the JVM dies, even by SIGKILL: a tiny {@code sh} watchdog blocks
 * reading a pipe whose only writer is this JVM. The kernel closes that pipe when the JVM exits, however it exits; the
 * watchdog then sends the guarded process its shutdown signal and, if it is still there after 10 s, SIGKILL.
 * {@link #disarm()} (after a normal stop) tells the watchdog to exit without signalling anything.
 *
 * <p>The watchdog acts only on the guarded pid and only while that pid still has the start time it had when it was
 * guarded, so a pid the kernel reused for another process is never signalled. It ignores SIGINT, SIGHUP, SIGTERM and
 * SIGQUIT (a Ctrl-C or a terminal hang-up reaching the whole process group must not take the watchdog away before the
 * JVM's shutdown has run); a SIGKILL of the watchdog itself leaves its process to {@link AbandonedStacks}. It waits
 * without polling while the JVM lives and exists only on Linux; elsewhere {@link #watch} guards nothing.
 */
final class ParentDeathGuard {
    private static final Logger LOG = LoggerFactory.getLogger(ParentDeathGuard.class);

    private static final String SCRIPT = String.join("\n",
            "trap '' INT HUP TERM QUIT PIPE",
            "IFS= read -r order",
            "[ \"$order\" = disarm ] && exit 0",
            "pid=$1 start=$2 sig=$3",
            "alive() {",
            "  stat=$(cat /proc/\"$pid\"/stat 2>/dev/null) || return 1",
            "  set -- ${stat##*\") \"}",
            "  [ \"$1\" != Z ] && [ \"${20}\" = \"$start\" ]",
            "}",
            "alive && kill -s \"$sig\" \"$pid\"",
            "i=0",
            "while [ $i -lt 20 ] && alive; do sleep 0.5; i=$((i + 1)); done",
            "alive && kill -s KILL \"$pid\"",
            "exit 0");

    private final Process watchdog;
    private final String what;

    private ParentDeathGuard(Process watchdog, String what) {
        this.watchdog = watchdog;
        this.what = what;
    }

    /**
     * Guards {@code pid}: when this JVM dies before {@link #disarm()}, the process gets {@code signal} (a name
     * {@code kill -s} takes: {@code TERM}, {@code INT}, ...). Empty when there is no such process or no Linux
     * {@code /proc}; a watchdog that cannot start is logged and skipped: the server runs unguarded.
     */
    static Optional<ParentDeathGuard> watch(String what, long pid, String signal) {
        Optional<String> start = ProcFs.startTicks(pid);
        if (start.isEmpty()) {
            return Optional.empty();
        }
        try {
            Process p = new ProcessBuilder("/bin/sh", "-c", SCRIPT, "cachesync-devstack-guard", Long.toString(pid), start.get(), signal)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return Optional.of(new ParentDeathGuard(p, what + " (pid " + pid + ")"));
        } catch (IOException e) {
            LOG.warn("devstack: no watchdog for {}: {}; it would outlive a killed JVM", what, e.getMessage());
            return Optional.empty();
        }
    }

    /** The watchdog's own pid. */
    long pid() {
        return watchdog.pid();
    }

    /** The guarded process was stopped on purpose: the watchdog exits without signalling it. */
    void disarm() {
        try (OutputStream order = watchdog.getOutputStream()) {
            order.write("disarm\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            LOG.debug("devstack: the watchdog of {} is gone already: {}", what, e.toString());
        }
        try {
            if (!watchdog.waitFor(5, TimeUnit.SECONDS)) {
                watchdog.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            watchdog.destroyForcibly();
        }
    }
}
