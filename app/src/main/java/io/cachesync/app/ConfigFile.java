package io.cachesync.app;

import io.cachesync.api.config.ApiConfig;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.config.ConfigException;
import io.cachesync.core.config.ConfigKey;
import io.cachesync.core.config.Settings;
import io.cachesync.core.config.UnknownKeys;
import io.cachesync.ingest.config.IngestConfig;
import io.cachesync.sync.config.SyncConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Loads the configuration every command shares (one file for all three services and the operator commands) and refuses
 * a file that sets a key nothing reads; a {@code CACHESYNC_*} variable that sets nothing is warned about (the
 * environment of a container often carries variables meant for another version).
 */
final class ConfigFile {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigFile.class);
    /** Variables of the process itself, read before any configuration (logging) or by the launcher script. */
    static final Set<String> PROCESS_VARIABLES = Set.of("CACHESYNC_LOG_FORMAT", "CACHESYNC_LOG_LEVEL", "CACHESYNC_JAVA_OPTS");
    /** The devstack's provider and images (CACHESYNC_DEVSTACK, CACHESYNC_DEVSTACK_IMAGE_*), read by the demo and the tests. */
    static final String DEVSTACK_VARIABLES = "CACHESYNC_DEVSTACK";

    private ConfigFile() {
    }

    /** Every key of every service, each once, in the order the services declare them, then the per-entity keys. */
    static List<ConfigKey> allKeys() {
        Set<ConfigKey> keys = new LinkedHashSet<>();
        keys.addAll(IngestConfig.KEYS);
        keys.addAll(ApiConfig.KEYS);
        keys.addAll(SyncConfig.KEYS);
        keys.addAll(EntityCatalog.ENTITY_KEYS);
        keys.addAll(io.cachesync.core.catalog.ViewDefinitions.VIEW_KEYS);
        return List.copyOf(keys);
    }

    /** The file (if any) overlaid by the environment; a key the file sets that no command reads is a {@link ConfigException}. */
    static Settings load(Optional<Path> file, Map<String, String> environment) {
        Settings s = Settings.load(file, environment);
        return check(s, file.map(f -> "config file " + f).orElse("configuration"));
    }

    static Settings check(Settings s, String source) {
        List<ConfigKey> all = allKeys();
        List<String> problems = new ArrayList<>(UnknownKeys.problems(s.fileKeys(), all));
        if (!problems.isEmpty()) {
            throw ConfigException.of(source, problems);
        }
        for (String v : UnknownKeys.variables(s.environment(), all, PROCESS_VARIABLES).stream().filter(v -> !v.startsWith(DEVSTACK_VARIABLES)).toList()) {
            LOG.warn("the environment variable {} sets no cachesync setting; it is ignored", v);
        }
        return s;
    }
}
