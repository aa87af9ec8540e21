package io.cachesync.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.cachesync.api.config.ApiConfig;
import io.cachesync.app.verify.CacheVerifier;
import io.cachesync.app.verify.VerifyResult;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.config.Endpoints;
import io.cachesync.core.config.Settings;
import io.cachesync.core.redis.CacheEntry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;
import redis.clients.jedis.UnifiedJedis;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/** {@code cachesync verify}: compares a running deployment's cache with its database. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Compares every row (or a random sample) of each configured entity in PostgreSQL with its Redis entry",
                "(and, for each view, the document composed from PostgreSQL for every root row with the cached document),",
                "re-checks differences (re-reading both) until they match or the grace window ends, and reports per entity: checked,",
                "fresh, converged (different, then equal at a re-check: in flight), stale (different at every re-check), missing",
                "(row in PostgreSQL, nothing in Redis) and extra (cached row PostgreSQL no longer has).",
                "Exit 0 only when stale, missing and extra are 0 (missing is allowed with --allow-missing); 1 otherwise; 2 on bad input."})
public final class VerifyCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--config"}, description = "A properties file (the keys query-api reads: postgres.*, redis.url, entities.*); "
            + "CACHESYNC_* environment variables win.")
    Path config;

    @Option(names = "--ports-file", description = "The JSON file `cachesync demo --ports-file` writes (postgres, redis, redis_mode, redis_nodes); "
            + "entities and views default to the demo's.")
    Path portsFile;

    @Option(names = "--sample", defaultValue = "0", description = "Rows per entity to check at random; 0 checks all (default).")
    int sample;

    @Option(names = "--grace", defaultValue = "5s", description = "How long a difference may take to converge: differing keys are re-checked every grace/10 "
            + "(10 ms to 250 ms) until they match or this window ends (default: ${DEFAULT-VALUE}; 0 reports the first look).")
    String grace;

    @Option(names = "--json", description = "Print {\"entities\": {...}, \"total\": {...}, \"offenders\": [...], ...} instead of a table; offenders are "
            + "the stale and extra keys (at most 100) with what PostgreSQL and Redis hold.")
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
        if (graceWindow.isNegative()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--grace must be 0 or positive, was '" + grace + "'");
        }
        ApiConfig c = ApiConfig.from(settings());
        VerifyResult r;
        try (UnifiedJedis redis = c.redis().client(2, Duration.ofSeconds(5))) {
            r = new CacheVerifier(c.catalog(), () -> {
                try {
                    return c.postgres().connect();
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot connect to " + Endpoints.withoutCredentials(c.postgres().jdbcUrl()) + ": " + e.getMessage(), e);
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
        Settings s = ConfigFile.load(Optional.ofNullable(config), System.getenv());
        if (portsFile == null) {
            return s;
        }
        if (!Files.isReadable(portsFile)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--ports-file " + portsFile + " does not exist or is not readable");
        }
        JsonNode ports = ValueCodec.mapper().readTree(portsFile.toFile());
        Map<String, String> m = new HashMap<>();
        if (s.raw("entities").isEmpty()) {
            // the demo always runs with its view (product_pages) and the view's parts
            m.putAll(DemoEntities.WITH_VIEWS);
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
        // a demo on a Redis Cluster (--redis cluster) also writes its mode and seed nodes
        m.put("redis.mode", ports.path("redis_mode").asText("standalone"));
        m.put("redis.nodes", ports.path("redis_nodes").asText(""));
        return s.with(m);
    }

    static ObjectNode toJson(VerifyResult r, boolean ok) {
        ObjectNode root = ValueCodec.mapper().createObjectNode();
        ObjectNode entities = root.putObject("entities");
        r.perEntity().forEach((name, c) -> counts(entities.putObject(name), c));
        r.uncacheable().forEach((name, n) -> {
            if (entities.get(name) instanceof ObjectNode e) {
                e.put("uncacheable", n);
            }
        });
        counts(root.putObject("total"), r.total());
        root.put("consistency_nines", r.total().nines());
        root.put("ok", ok);
        var samples = root.putArray("samples");
        r.samples().forEach(samples::add);
        ArrayNode offenders = root.putArray("offenders");
        r.offenders().forEach(o -> offender(offenders.addObject(), o));
        return root;
    }

    /** A stale or extra key with both sides: the row as the cache encodes it, and the Redis entry. */
    private static void offender(ObjectNode n, VerifyResult.Offender o) {
        n.put("key", o.key()).put("entity", o.entity()).put("id", o.id()).put("result", o.result().name().toLowerCase(Locale.ROOT))
                .put("rechecks", o.rechecks());
        JsonNode database = document(o.databaseDocument());
        n.putObject("postgres").put("exists", o.databaseDocument() != null).set("document", database);
        CacheEntry c = o.cached();
        JsonNode cached = document(c.document());
        n.putObject("redis").put("state", c.state().name().toLowerCase(Locale.ROOT)).put("version", c.version())
                .put("tombstone", c.state() == CacheEntry.State.TOMBSTONE).set("document", cached);
        if (database instanceof ObjectNode db && cached instanceof ObjectNode red) {
            ArrayNode fields = n.putArray("differing_fields");
            new TreeSet<>(concat(db.fieldNames(), red.fieldNames())).stream()
                    .filter(f -> !Objects.equals(db.get(f), red.get(f))).forEach(fields::add);
        }
    }

    /** The document as JSON, read back exactly (decimals as written; as text when it is not JSON), or JSON null. */
    private static JsonNode document(String s) {
        if (s == null) {
            return NullNode.getInstance();
        }
        try {
            return ValueCodec.documentMapper().readTree(s);
        } catch (IOException e) {
            return TextNode.valueOf(s);
        }
    }

    private static List<String> concat(Iterator<String> a, Iterator<String> b) {
        List<String> all = new ArrayList<>();
        a.forEachRemaining(all::add);
        b.forEachRemaining(all::add);
        return all;
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
        r.uncacheable().forEach((name, n) -> out.printf(Locale.ROOT, "  %s: %d row(s) with a key cachesync cannot address (an empty or"
                + " over-long text), never cached nor served: not checked%n", name, n));
        if (!r.offenders().isEmpty()) {
            out.println("  (--json lists the stale and extra keys with what PostgreSQL and Redis hold)");
        }
        out.println(ok ? "OK" : "FAILED: the cache differs from the database");
    }
}
