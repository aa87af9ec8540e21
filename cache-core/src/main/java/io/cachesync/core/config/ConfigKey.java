package io.cachesync.core.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One configuration key: its name, what it means, its default and whether its value is a secret.
 * Every key can be set in the config file ({@code name=value}) or by the environment variable
 * {@link #envName()}, which wins. A key with a type, a typed default and its validation is a {@link TypedKey}; a plain
 * {@code ConfigKey} is a string read as it is.
 */
public class ConfigKey {
    private final String name;
    private final String doc;
    private final String defaultValue;
    private final boolean secret;

    protected ConfigKey(String name, String doc, String defaultValue, boolean secret) {
        this.name = Objects.requireNonNull(name);
        this.doc = Objects.requireNonNull(doc);
        this.defaultValue = Objects.requireNonNull(defaultValue);
        this.secret = secret;
    }

    public static ConfigKey of(String name, String doc, String defaultValue) {
        return new ConfigKey(name, doc, defaultValue, false);
    }

    public static ConfigKey secret(String name, String doc, String defaultValue) {
        return new ConfigKey(name, doc, defaultValue, true);
    }

    public String name() {
        return name;
    }

    public String doc() {
        return doc;
    }

    /** The default as it is written in a config file. */
    public String defaultValue() {
        return defaultValue;
    }

    public boolean secret() {
        return secret;
    }

    /** The name of a key declared for every entity ({@code entities.<name>.ttl}) for one of them ({@code entities.users.ttl}). */
    public String at(String entity) {
        return name.replace("<name>", entity);
    }

    /** {@code redis.url} is {@code CACHESYNC_REDIS_URL}; {@code entities.users.ttl-jitter} is {@code CACHESYNC_ENTITIES_USERS_TTL_JITTER}. */
    public String envName() {
        return envName(name);
    }

    public static String envName(String key) {
        return "CACHESYNC_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** Several lists of keys as one (a service's keys: those of the endpoints it shares, then its own). */
    @SafeVarargs
    public static List<ConfigKey> concat(List<? extends ConfigKey>... lists) {
        List<ConfigKey> out = new ArrayList<>();
        for (List<? extends ConfigKey> l : lists) {
            out.addAll(l);
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return name;
    }
}
