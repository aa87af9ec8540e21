package io.cachesync.app.demo;

import io.cachesync.core.config.Settings;
import io.cachesync.devstack.DevStack;

import java.util.HashMap;
import java.util.Map;

/**
 * The settings that point all three services at a devstack: with {@link DemoSchema#ENTITIES} (products and users; the
 * e2e suites and the bench) unless the entities are given ({@link DemoSchema#WITH_VIEWS}: the demo).
 */
public final class StackSettings {
    private StackSettings() {
    }

    public static Settings of(DevStack stack, Map<String, String> overrides) {
        return Settings.of(map(stack, overrides));
    }

    /** With {@code entities} (e.g. {@link DemoSchema#WITH_VIEWS}) instead of {@link DemoSchema#ENTITIES}. */
    public static Settings of(DevStack stack, Map<String, String> entities, Map<String, String> overrides) {
        return Settings.of(map(stack, entities, overrides));
    }

    /** The same settings as plain key/values (to write a config file for a service in another process). */
    public static Map<String, String> map(DevStack stack, Map<String, String> overrides) {
        return map(stack, DemoSchema.ENTITIES, overrides);
    }

    /** As {@link #map(DevStack, Map)}, with {@code entities} instead of {@link DemoSchema#ENTITIES}. */
    public static Map<String, String> map(DevStack stack, Map<String, String> entities, Map<String, String> overrides) {
        Map<String, String> m = new HashMap<>(entities);
        m.put("postgres.url", stack.postgres().jdbcUrl());
        m.put("postgres.user", io.cachesync.devstack.DevPostgres.USER);
        m.put("postgres.password", io.cachesync.devstack.DevPostgres.PASSWORD);
        m.put("kafka.bootstrap.servers", stack.kafka().bootstrapServers());
        m.put("redis.url", stack.redis().url());
        m.put("api.host", "127.0.0.1");
        m.put("api.port", "0");
        m.put("api.admin-port", "0");
        m.put("sync.state-dir", stack.workDir().resolve("sync-state").toString());
        m.put("ingest.heartbeat-interval", "5s");
        // in one JVM the three services share a registry, exported on the API's /metrics (its admin port)
        m.put("sync.http-port", "-1");
        m.put("ingest.http-port", "-1");
        m.putAll(overrides);
        return m;
    }
}
