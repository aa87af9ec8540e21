package io.cachesync.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.api.config.ApiConfig;
import io.cachesync.app.demo.DemoSchema;
import io.cachesync.app.verify.CacheVerifier;
import io.cachesync.app.verify.VerifyResult;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.config.Settings;
import io.cachesync.core.redis.RedisConnections;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import redis.clients.jedis.RedisClient;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code cachesync verify}: compares a running deployment's cache with its database. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Compares every row (or a random sample) of each configured entity in PostgreSQL with its Redis entry,",
                "re-checks differences after a grace window, and reports per entity: checked, fresh, converged (in flight,",
                "then fresh), stale, missing (row in PostgreSQL, nothing in Redis) and extra (cached row PostgreSQL no longer has).",
                "Exit 0 only when stale, missing and extra are 0 (missing is allowed with --allow-missing); 1 otherwise; 2 on bad input."})
public final class VerifyCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--config"}, description = "A properties file (the keys query-api reads: postgres.*, redis.url, entities.*); "
            + "CACHESYNC_* environment variables win.")
    Path config;

    @Option(names = "--ports-file", description = "The JSON file `cachesync demo --ports-file` writes (postgres, redis); "
            + "entities default to the demo's.")
    Path portsFile;

    @Option(names = "--sample", defaultValue = "0", description = "Rows per entity to check at random; 0 checks all (default).")
    int sample;

    @Option(names = "--grace", defaultValue = "5s", description = "How long to wait before re-checking differences (default: ${DEFAULT-VALUE}).")
    String grace;

    @Option(names = "--json", description = "Print {\"entities\": {...}, \"total\": {...}, ...} instead of a table.")
    boolean json;

    @Option(names = "--allow-missing", description = "Do not fail on missing keys (deployments whose cache evicts).")
    boolean allowMissing;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (sample < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--sample must be 0 (all rows) or a positive number, was " + sample);
        }
        Duration graceWindow;
        try {
            graceWindow = Settings.duration(grace);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--grace is not a duration such as 5s or 500ms: '" + grace + "'");
        }
        ApiConfig c = ApiConfig.from(settings());
        VerifyResult r;
        try (RedisClient redis = RedisConnections.client(c.redisUrl(), 2, Duration.ofSeconds(5))) {
            r = new CacheVerifier(c.catalog(), () -> {
                try {
                    return io.cachesync.core.config.Jdbc.connect(c.jdbcUrl(), c.user(), c.password(), c.sslMode());
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot connect to " + c.jdbcUrl() + ": " + e.getMessage(), e);
                }
            }, redis).verify(graceWindow, sample);
        }
        boolean ok = r.clean(allowMissing);
        if (json) {
            out.println(ValueCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(toJson(r, ok)));
        } else {
            printTable(out, r, ok);
        }
        out.flush();
        return ok ? 0 : 1;
    }

    private Settings settings() throws IOException {
        Settings s = Settings.load(Optional.ofNullable(config), System.getenv());
        if (portsFile == null) {
            return s;
        }
        if (!Files.isReadable(portsFile)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--ports-file " + portsFile + " does not exist or is not readable");
        }
        JsonNode ports = ValueCodec.mapper().readTree(portsFile.toFile());
        Map<String, String> m = new HashMap<>();
        if (s.raw("entities").isEmpty()) {
            m.putAll(DemoSchema.ENTITIES);
        }
        String pg = ports.path("postgres").asText("");
        String redis = ports.path("redis").asText("");
        if (!pg.startsWith("postgresql://") || redis.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--ports-file " + portsFile + " needs \"postgres\" (postgresql://...) and \"redis\"");
        }
        URI u = URI.create(pg);
        m.put("postgres.url", "jdbc:postgresql://" + u.getHost() + ":" + (u.getPort() > 0 ? u.getPort() : 5432) + u.getPath());
        if (u.getUserInfo() != null) {
            String[] up = u.getUserInfo().split(":", 2);
            m.put("postgres.user", up[0]);
            if (up.length > 1) {
                m.put("postgres.password", up[1]);
            }
        }
        m.put("redis.url", redis);
        return s.with(m);
    }

    static ObjectNode toJson(VerifyResult r, boolean ok) {
        ObjectNode root = ValueCodec.mapper().createObjectNode();
        ObjectNode entities = root.putObject("entities");
        r.perEntity().forEach((name, c) -> counts(entities.putObject(name), c));
        counts(root.putObject("total"), r.total());
        root.put("consistency_nines", r.total().nines());
        root.put("ok", ok);
        var samples = root.putArray("samples");
        r.samples().forEach(samples::add);
        return root;
    }

    private static void counts(ObjectNode n, VerifyResult.Counts c) {
        n.put("checked", c.checked()).put("fresh", c.fresh()).put("converged", c.converged()).put("stale", c.stale())
                .put("missing", c.missing()).put("extra", c.extra());
    }

    private void printTable(PrintWriter out, VerifyResult r, boolean ok) {
        String fmt = "%-16s %10s %10s %10s %8s %8s %8s%n";
        out.printf(fmt, "entity", "checked", "fresh", "converged", "stale", "missing", "extra");
        r.perEntity().forEach((name, c) -> out.printf(Locale.ROOT, fmt, name, c.checked(), c.fresh(), c.converged(), c.stale(), c.missing(), c.extra()));
        VerifyResult.Counts t = r.total();
        out.printf(Locale.ROOT, fmt, "total", t.checked(), t.fresh(), t.converged(), t.stale(), t.missing(), t.extra());
        out.printf(Locale.ROOT, "consistency: %.2f nines (%d stale or extra of %d checked)%n", t.nines(), t.stale() + t.extra(), t.checked());
        r.samples().forEach(s -> out.println("  " + s));
        out.println(ok ? "OK" : "FAILED: the cache differs from the database");
    }
}
