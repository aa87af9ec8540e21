package io.cachesync.devtools;

import io.cachesync.app.CachesyncCli;
import io.cachesync.app.bench.BenchCommand;
import io.cachesync.app.demo.DemoCommand;
import picocli.CommandLine;

import java.util.List;

/**
 * The main class of cachesync-devtools.jar: the service command line of {@link CachesyncCli} plus {@code demo} and
 * {@code bench}, which run everything on a devstack (embedded PostgreSQL, an in-JVM Kafka broker, redis-server).
 * {@code ./cachesync demo|bench} runs this jar; the service jar and the Docker image do not contain it.
 */
public final class DevtoolsCli {
    private DevtoolsCli() {
    }

    /** The command line with demo and bench listed first. */
    public static CommandLine commandLine() {
        return CachesyncCli.commandLine(commands());
    }

    public static void main(String[] args) {
        System.exit(CachesyncCli.run(args, commands()));
    }

    private static List<Object> commands() {
        return List.of(new DemoCommand(), new BenchCommand());
    }
}
