package io.cachesync.core.config;

import java.util.Locale;

/**
 * One configuration key: its name, what it means, its default and whether its value is a secret.
 * Every key can be set in the config file ({@code name=value}) or by the environment variable
 * {@link #envName()}, which wins.
 */
public record ConfigKey(String name, String doc, String defaultValue, boolean secret) {

    public static ConfigKey of(String name, String doc, String defaultValue) {
        return new ConfigKey(name, doc, defaultValue, false);
    }

    public static ConfigKey secret(String name, String doc, String defaultValue) {
        return new ConfigKey(name, doc, defaultValue, true);
    }

    /** {@code redis.url} is {@code CACHESYNC_REDIS_URL}; {@code entities.users.ttl-jitter} is {@code CACHESYNC_ENTITIES_USERS_TTL_JITTER}. */
    public String envName() {
        return envName(name);
    }

    public static String envName(String key) {
        return "CACHESYNC_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
