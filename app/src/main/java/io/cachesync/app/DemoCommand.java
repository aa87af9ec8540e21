package io.cachesync.app;

import io.cachesync.app.demo.DemoOptions;
import io.cachesync.app.demo.DemoRunner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code cachesync demo}. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the whole pipeline on an embedded stack (PostgreSQL 17, Kafka, Redis on free loopback ports) with a",
                "write and read workload. With --duration it then drains the pipeline, compares every row with its",
                "cache entry and exits 0 only when no key is stale or missing."})
public final class DemoCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--write-rate", defaultValue = "200", description = "Committed writes per second (default: ${DEFAULT-VALUE}).")
    double writeRate;

    @Option(names = "--read-rate", defaultValue = "1000", description = "API reads per second, Zipf-skewed ids (default: ${DEFAULT-VALUE}).")
    double readRate;

    @Option(names = "--duration", defaultValue = "0", description = "Seconds to run; 0 runs until Ctrl-C (default: ${DEFAULT-VALUE}).")
    long duration;

    @Option(names = "--ports-file", description = "Write the components' URLs here as JSON (postgres, kafka, redis, api, admin, admin_token).")
    Path portsFile;

    @Option(names = "--report", description = "Write the final summary here as JSON (needs --duration).")
    Path report;

    @Override
    public Integer call() throws Exception {
        if (writeRate <= 0 || writeRate > 50_000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--write-rate must be in (0, 50000], was " + writeRate);
        }
        if (readRate <= 0 || readRate > 100_000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--read-rate must be in (0, 100000], was " + readRate);
        }
        if (duration < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--duration must be 0 (until Ctrl-C) or a number of seconds, was " + duration);
        }
        if (report != null && duration == 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--report needs --duration: the summary is made after the run");
        }
        return new DemoRunner(new DemoOptions(writeRate, readRate, duration, portsFile, report), System.out).run();
    }
}
