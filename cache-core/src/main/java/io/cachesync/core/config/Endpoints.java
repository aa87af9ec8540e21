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
            problems.add(key.name() + " is not a redis:// or rediss:// URL with a host: '" + withoutCredentials(v) + "'");
            return URI.create(key.defaultValue());
        }
    }

    public static String jdbcUrl(ConfigKey key, Settings s, List<String> problems) {
        String v = s.get(key);
        if (v == null || !v.startsWith("jdbc:postgresql://")) {
            problems.add(key.name() + " is not a jdbc:postgresql://host:port/db URL: '" + withoutCredentials(v) + "'");
        }
        return v;
    }

    /**
     * A connection string as it may be shown in a message: whatever stands before an {@code @} (a user and password,
     * {@code redis://:secret@host}) and the value of any {@code password=} parameter replaced by {@code ***}. A URL bad
     * enough to be reported is often one whose credentials were mistyped into the wrong place.
     */
    public static String withoutCredentials(String url) {
        if (url == null) {
            return null;
        }
        String s = url.replaceAll("(?i)(password=)[^&;\\s]*", "$1***");
        int at = s.lastIndexOf('@');
        if (at < 0) {
            return s;
        }
        int scheme = s.indexOf("://");
        int from = scheme >= 0 && scheme < at ? scheme + 3 : 0;
        return s.substring(0, from) + "***" + s.substring(at);
    }

    public static String bootstrap(ConfigKey key, Settings s, List<String> problems) {
        String v = s.get(key);
        if (v == null || v.isBlank() || !v.matches("[^,:\\s]+:\\d+(,[^,:\\s]+:\\d+)*")) {
            problems.add(key.name() + " is not a comma-separated list of host:port: '" + v + "'");
        }
        return v;
    }
}
