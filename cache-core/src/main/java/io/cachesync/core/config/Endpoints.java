package io.cachesync.core.config;

import java.net.URI;
import java.util.List;

/** Validation helpers for the connection strings every module shares. */
public final class Endpoints {
    private Endpoints() {
    }

    public static URI redisUrl(ConfigKey key, Settings s, List<String> problems) {
        String v = s.get(key);
        try {
            URI u = URI.create(v);
            if (!("redis".equals(u.getScheme()) || "rediss".equals(u.getScheme())) || u.getHost() == null) {
                throw new IllegalArgumentException();
            }
            return u;
        } catch (RuntimeException e) {
            problems.add(key.name() + " is not a redis:// or rediss:// URL with a host: '" + v + "'");
            return URI.create("redis://127.0.0.1:6379");
        }
    }

    public static String jdbcUrl(ConfigKey key, Settings s, List<String> problems) {
        String v = s.get(key);
        if (v == null || !v.startsWith("jdbc:postgresql://")) {
            problems.add(key.name() + " is not a jdbc:postgresql://host:port/db URL: '" + v + "'");
        }
        return v;
    }

    public static String bootstrap(ConfigKey key, Settings s, List<String> problems) {
        String v = s.get(key);
        if (v == null || v.isBlank() || !v.matches("[^,:\\s]+:\\d+(,[^,:\\s]+:\\d+)*")) {
            problems.add(key.name() + " is not a comma-separated list of host:port: '" + v + "'");
        }
        return v;
    }
}
