package io.cachesync.app.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code cachesync bench}: lag, sync throughput and read API figures on a devstack (cachesync-devtools only). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measures cachesync on an embedded stack (loopback only; 7 to 12 minutes with the defaults):",
                "  lag   end-to-end lag at 500, 2,000 and 5,000 committed rows/s",
                "  sync  events/s applied from a pre-filled CDC topic: cache-sync vs a one-SET-per-record sink vs redis-benchmark",
                "  api   read API req/s and latency with wrk: Redis hit, L1 hit, miss, a constant route; cached vs PostgreSQL",
                "  view  (on a devstack of its own) the view product_pages with wrk: cached vs built by its SQL from PostgreSQL;",
                "        view documents written per second after every brand is renamed and after every review is updated",
                "  capacity  (only with --sections capacity; about 30 minutes) the commit rate sustained with lag p99 under 1 s:",
                "        single-row transactions and transactions of 10 and 100 rows at rising rates, beside PostgreSQL's own ceiling",
                "Needs wrk (apt-get install wrk) for the api and view sections; redis-benchmark (redis-tools) gives the Redis ceiling."})
public final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "Print the figures as JSON on stdout (progress and the table go to stderr).")
    boolean json;

    @Option(names = "--events", defaultValue = "1000000", description = "Change events pre-filled into the CDC topic (default: ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--sync-rows", defaultValue = "100000",
            description = "Rows the pre-filled events update, in turn (default: ${DEFAULT-VALUE}, each once per batch; a few rows are "
                    + "hot rows, changed several times per batch).")
    int syncRows;

    @Option(names = "--naive-seconds", defaultValue = "60",
            description = "Longest the naive sink runs; its rate is taken over the events it applied by then (default: ${DEFAULT-VALUE}).")
    int naiveSeconds;

    @Option(names = "--lag-seconds", defaultValue = "20", description = "Measured seconds per write rate (default: ${DEFAULT-VALUE}).")
    int lagSeconds;

    @Option(names = "--api-seconds", defaultValue = "10", description = "Seconds of load per API scenario (default: ${DEFAULT-VALUE}).")
    int apiSeconds;

    @Option(names = "--capacity-seconds", defaultValue = "60",
            description = "Measured seconds per rate of the capacity ladder (default: ${DEFAULT-VALUE}).")
    int capacitySeconds;

    @Option(names = "--connections", defaultValue = "32", description = "HTTP connections wrk keeps open (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--sections", split = ",", paramLabel = "lag|sync|api|view|capacity", description = "Run only these sections (default: lag, sync, api, view).")
    List<String> sections;

    @Option(names = "--report", description = "Also write the JSON here.")
    Path report;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Set a configuration key for every service the bench starts (repeatable), e.g. --set sync.threads=2.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--check", description = "Exit " + BenchRunner.TARGET_MISSED + " when a target (issues 7, 18 and 19) is missed.")
    boolean check;

    @Override
    public Integer call() throws Exception {
        Set<String> chosen = new LinkedHashSet<>(sections == null ? BenchOptions.ALL_SECTIONS : sections);
        List<String> unknown = new ArrayList<>(chosen);
        unknown.removeAll(BenchOptions.KNOWN_SECTIONS);
        if (!unknown.isEmpty()) {
            throw fail("--sections: unknown " + unknown + "; choose from " + String.join(", ", BenchOptions.KNOWN_SECTIONS));
        }
        if (events < 10_000 || events > 50_000_000) {
            throw fail("--events must be in [10000, 50000000], was " + events);
        }
        if (syncRows < 1 || syncRows > events) {
            throw fail("--sync-rows must be in [1, --events], was " + syncRows);
        }
        if (naiveSeconds < 1 || lagSeconds < 1 || apiSeconds < 1 || capacitySeconds < 1) {
            throw fail("--naive-seconds, --lag-seconds, --api-seconds and --capacity-seconds must be at least 1");
        }
        if (connections < 1 || connections > 1024) {
            throw fail("--connections must be in [1, 1024], was " + connections);
        }
        if ((chosen.contains("api") || chosen.contains("view")) && !BenchRunner.wrkInstalled()) {
            throw fail("the api and view sections need wrk on the PATH (Debian: apt-get install -y wrk), or leave them out: --sections lag,sync");
        }
        BenchOptions options = new BenchOptions(events, syncRows, naiveSeconds, BenchOptions.LAG_RATES, lagSeconds, apiSeconds, capacitySeconds, connections, chosen,
                report, overrides);
        BenchReport result = new BenchRunner(options, json, System.out, json ? System.err : System.out).run();
        boolean missed = result.targets().stream().anyMatch(t -> !t.met());
        return check && missed ? BenchRunner.TARGET_MISSED : 0;
    }

    private CommandLine.ParameterException fail(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
