package io.cachesync.app.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs <a href="https://github.com/wg/wrk">wrk</a> (a closed-loop HTTP load generator: a fixed number of connections,
 * each sending its next request when the previous answer arrived) against a loopback URL and parses its summary.
 */
final class Wrk {
    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|99)(?:\\.000)?%\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);

    private final Path workDir;
    private final int threads;
    private final int connections;

    Wrk(Path workDir, int threads, int connections) {
        this.workDir = workDir;
        this.threads = threads;
        this.connections = connections;
    }

    int threads() {
        return threads;
    }

    int connections() {
        return connections;
    }

    /** Whether a wrk binary is on the PATH. */
    static boolean installed() {
        try {
            Process p = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(10, TimeUnit.SECONDS);
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Requests {@code path + id} with ids drawn uniformly from [lo, hi]. */
    BenchReport.Load uniform(String baseUrl, String path, long lo, long hi, int seconds) throws IOException, InterruptedException {
        return run(baseUrl, seconds, """
                local threads = 0
                function setup(thread) thread:set("tid", threads); threads = threads + 1 end
                function init(args) math.randomseed(7919 * (tid + 1)) end
                request = function() return wrk.format("GET", "%s" .. math.random(%d, %d)) end
                """.formatted(path, lo, hi));
    }

    /** Requests {@code path + id} with every id used once: start, start+1, ... (spread over the threads). */
    BenchReport.Load sequential(String baseUrl, String path, long start, int seconds) throws IOException, InterruptedException {
        return run(baseUrl, seconds, """
                local threads = 0
                function setup(thread) thread:set("tid", threads); threads = threads + 1 end
                local n = 0
                request = function() n = n + 1; return wrk.format("GET", "%s" .. (%d + n * %d + tid)) end
                """.formatted(path, start, threads));
    }

    /** Requests one fixed path. */
    BenchReport.Load fixed(String baseUrl, String path, int seconds) throws IOException, InterruptedException {
        return run(baseUrl, seconds, "request = function() return wrk.format(\"GET\", \"%s\") end\n".formatted(path));
    }

    private BenchReport.Load run(String baseUrl, int seconds, String script) throws IOException, InterruptedException {
        Path lua = Files.createTempFile(workDir, "wrk-", ".lua");
        Files.writeString(lua, script);
        List<String> cmd = new ArrayList<>(List.of("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s", "--latency",
                "--timeout", "5s", "-s", lua.toString(), baseUrl));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("wrk did not finish: " + String.join(" ", cmd));
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("wrk failed (exit " + p.exitValue() + "): " + out.strip());
        }
        return parse(out);
    }

    static BenchReport.Load parse(String out) {
        double rps = Double.parseDouble(group(RPS, out, "Requests/sec"));
        long total = Long.parseLong(group(TOTAL, out, "requests in"));
        long errors = 0;
        Matcher m = NON_2XX.matcher(out);
        if (m.find()) {
            errors += Long.parseLong(m.group(1));
        }
        m = SOCKET_ERRORS.matcher(out);
        if (m.find()) {
            for (int i = 1; i <= 4; i++) {
                errors += Long.parseLong(m.group(i));
            }
        }
        double p50 = -1;
        double p99 = -1;
        m = PERCENTILE.matcher(out);
        while (m.find()) {
            double v = Double.parseDouble(m.group(2)) * switch (m.group(3)) {
                case "us" -> 0.001;
                case "s" -> 1000.0;
                default -> 1.0;
            };
            if (m.group(1).equals("50")) {
                p50 = v;
            } else {
                p99 = v;
            }
        }
        if (p50 < 0 || p99 < 0) {
            throw new IllegalStateException("wrk printed no latency distribution:\n" + out);
        }
        return new BenchReport.Load(rps, p50, p99, total, errors, "", "");
    }

    private static String group(Pattern p, String out, String what) {
        Matcher m = p.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("wrk printed no '" + what + "':\n" + out);
        }
        return m.group(1);
    }
}
