package io.cachesync.app.bench;

import io.cachesync.core.redis.RedisConnections;
import io.cachesync.devstack.DevStack;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * What redis-server spent its time on during a pass: {@code CONFIG RESETSTAT} before it, {@code INFO commandstats}
 * after, each command's calls and microseconds (per call and per applied event), the most expensive first.
 */
final class RedisCommandStats {
    private RedisCommandStats() {
    }

    /** One command's share of a pass. */
    record Command(String name, long calls, double usec, double usecPerCall) {
    }

    static void reset(DevStack stack) {
        try (RedisClient redis = client(stack)) {
            redis.sendCommand(Protocol.Command.CONFIG, "RESETSTAT");
        }
    }

    /** The commands since {@link #reset}, the most microseconds first. */
    static List<Command> since(DevStack stack) {
        String info;
        try (RedisClient redis = client(stack)) {
            info = redis.info("commandstats");
        }
        List<Command> out = new ArrayList<>();
        for (String line : info.split("\r?\n")) {
            // cmdstat_evalsha:calls=1000,usec=4900,usec_per_call=4.90,rejected_calls=0,failed_calls=0
            if (!line.startsWith("cmdstat_")) {
                continue;
            }
            String name = line.substring("cmdstat_".length(), line.indexOf(':'));
            long calls = 0;
            double usec = 0;
            double perCall = 0;
            for (String field : line.substring(line.indexOf(':') + 1).split(",")) {
                String[] kv = field.split("=", 2);
                switch (kv[0]) {
                    case "calls" -> calls = Long.parseLong(kv[1]);
                    case "usec" -> usec = Double.parseDouble(kv[1]);
                    case "usec_per_call" -> perCall = Double.parseDouble(kv[1]);
                    default -> { }
                }
            }
            out.add(new Command(name, calls, usec, perCall));
        }
        out.sort(Comparator.comparingDouble(Command::usec).reversed());
        return out;
    }

    /** {@code evalsha 1,000,000 calls 4.90 µs/call (1.00 per event, 4.90 µs per event); ...}, the top {@code n}. */
    static String describe(List<Command> commands, long events, int n) {
        StringBuilder b = new StringBuilder();
        for (Command c : commands.subList(0, Math.min(n, commands.size()))) {
            b.append(b.length() == 0 ? "" : "; ").append(String.format(Locale.ROOT, "%s %,d calls %.2f µs/call (%.2f per event, %.2f µs per event)",
                    c.name(), c.calls(), c.usecPerCall(), c.calls() / (double) Math.max(1, events), c.usec() / Math.max(1, events)));
        }
        return b.toString();
    }

    private static RedisClient client(DevStack stack) {
        return RedisConnections.client(URI.create(stack.redis().url()), 1, Duration.ofSeconds(5));
    }
}
