package io.cachesync.app;

import io.cachesync.api.ApiService;
import io.cachesync.api.config.ApiConfig;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.config.ConfigKey;
import io.cachesync.core.config.Settings;
import io.cachesync.ingest.IngestService;
import io.cachesync.ingest.config.IngestConfig;
import io.cachesync.sync.SyncService;
import io.cachesync.sync.config.SyncConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/** {@code cachesync ingest|sync|api}: one service against an external PostgreSQL, Kafka and Redis. */
final class ServiceCommands {
    private ServiceCommands() {
    }

    abstract static class ServiceCommand implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, description = "A YAML (.yaml, .yml) or properties file; every key can also be set as an environment "
                + "variable CACHESYNC_<KEY> (dots and dashes as _), which wins.")
        Path config;

        @Option(names = "--print-config-keys", description = "List the configuration keys of this service and exit.")
        boolean printKeys;

        @Spec
        CommandSpec spec;

        Settings settings() {
            return ConfigFile.load(Optional.ofNullable(config), System.getenv());
        }

        abstract List<ConfigKey> keys();

        abstract AutoCloseable start(Settings s);

        @Override
        public Integer call() throws Exception {
            if (printKeys) {
                for (ConfigKey k : Stream.of(keys(), EntityCatalog.ENTITY_KEYS, io.cachesync.core.catalog.ViewDefinitions.VIEW_KEYS).flatMap(List::stream).toList()) {
                    spec.commandLine().getOut().printf("%-32s %-44s default %-28s %s%n", k.name(), k.envName(),
                            k.secret() ? "<secret>" : "'" + k.defaultValue() + "'", k.doc());
                }
                spec.commandLine().getOut().flush();
                return 0;
            }
            AutoCloseable service = start(settings());
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    service.close();
                } catch (Exception e) {
                    System.err.println("error while stopping: " + e);
                } finally {
                    stop.countDown();
                }
            }, "cachesync-shutdown"));
            stop.await();
            return 0;
        }
    }

    @Command(name = "ingest", mixinStandardHelpOptions = true, description = "Runs cdc-ingest: PostgreSQL changes (Debezium) to Kafka.")
    static final class Ingest extends ServiceCommand {
        @Override
        List<ConfigKey> keys() {
            return IngestConfig.KEYS;
        }

        @Override
        AutoCloseable start(Settings s) {
            return new IngestService(IngestConfig.from(s)).start();
        }
    }

    @Command(name = "sync", mixinStandardHelpOptions = true, description = "Runs cache-sync: Kafka change events to versioned Redis writes.")
    static final class Sync extends ServiceCommand {
        @Override
        List<ConfigKey> keys() {
            return SyncConfig.KEYS;
        }

        @Override
        AutoCloseable start(Settings s) {
            return new SyncService(SyncConfig.from(s)).start();
        }
    }

    @Command(name = "api", mixinStandardHelpOptions = true, description = "Runs query-api: cache-first HTTP reads.")
    static final class Api extends ServiceCommand {
        @Override
        List<ConfigKey> keys() {
            return ApiConfig.KEYS;
        }

        @Override
        AutoCloseable start(Settings s) {
            return new ApiService(ApiConfig.from(s)).start();
        }
    }
}
