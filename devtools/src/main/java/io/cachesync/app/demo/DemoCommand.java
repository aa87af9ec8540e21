package io.cachesync.app.demo;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code cachesync demo}: the whole pipeline on a devstack with a write and read workload (cachesync-devtools only). */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the whole pipeline on a devstack (PostgreSQL 17, Kafka, Redis on free ports; embedded, or in Docker",
                "containers with --stack testcontainers) with a write and read workload. With --duration it then drains the",
                "pipeline, compares every row with its cache entry and exits 0 only when no key is stale or missing."})
public final class DemoCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--write-rate", defaultValue = "200", description = "Committed writes per second; 0: no writer (default: ${DEFAULT-VALUE}).")
    double writeRate;

    @Option(names = "--read-rate", defaultValue = "1000", description = "API reads per second, Zipf-skewed ids; 0: no reader (default: ${DEFAULT-VALUE}).")
    double readRate;

    @Option(names = "--duration", defaultValue = "0", description = "Seconds to run; 0 runs until Ctrl-C (default: ${DEFAULT-VALUE}).")
    long duration;

    @Option(names = "--ports-file", description = "Write the components' URLs here as JSON (postgres, kafka, redis, api, admin, admin_token).")
    Path portsFile;

    @Option(names = "--report", description = "Write the final summary here as JSON (needs --duration).")
    Path report;

    @Option(names = "--stack", paramLabel = "embedded|testcontainers|auto",
            description = {"Where PostgreSQL, Kafka and Redis run: embedded (this JVM and its child processes), testcontainers",
                    "(Docker containers; needs a Docker engine) or auto (containers when an engine answers). Default: the",
                    "cachesync.devstack property or CACHESYNC_DEVSTACK, else embedded."})
    String stack;

    @Option(names = "--redis", paramLabel = "standalone|cluster",
            description = {"The Redis the services use: standalone (the stack's one redis-server, the default) or cluster (a Redis",
                    "Cluster of three masters with a replica each, local redis-server processes on free loopback ports)."})
    String redis;

    @Option(names = "--sync-instances", paramLabel = "N", defaultValue = "1",
            description = {"cache-sync instances (one Kafka Streams application: they split the CDC partitions, ingest.topic-partitions: 4 by default;",
                    "more sit idle as standbys). Default: ${DEFAULT-VALUE}."})
    int syncInstances;

    @Option(names = "--api-instances", paramLabel = "M", defaultValue = "1",
            description = {"query-api instances, each on its own port (the readers spread over them; the ports file lists them all",
                    "under \"apis\"). Default: ${DEFAULT-VALUE}."})
    int apiInstances;

    @Override
    public Integer call() throws Exception {
        DemoOptions options = new DemoOptions(writeRate, readRate, duration, portsFile, report, stack, redis, syncInstances, apiInstances);
        Optional<String> problem = options.problem();
        if (problem.isPresent()) {
            throw new CommandLine.ParameterException(spec.commandLine(), problem.get());
        }
        return new DemoRunner(options, System.out).run();
    }
}
