package io.cachesync.app.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.core.codec.ValueCodec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The figures of one bench run: the JSON of issue 7 and the table a person reads. */
public final class BenchReport {
    /** Events per second applied to Redis. */
    public record Sync(double batchedEps, double naiveEps, long naiveEvents, double ceilingOps, String ceilingMethod, String batchedCpu,
                       String naiveCpu) {
    }

    /** End-to-end lag at one committed-row rate; {@code achievedRate} is what the writer really committed. */
    public record Lag(int rate, double achievedRate, long count, long p50, long p99, long max, String cpu) {
    }

    /** One load-generator run: requests per second and latency in milliseconds. */
    public record Load(double rps, double p50Ms, double p99Ms, long requests, long errors, String answeredFrom, String cpu) {
    }

    /**
     * View documents written per second after one change to a part, from its commit until the last document it caused.
     *
     * @param affected  documents the change touches (products naming a renamed brand; reviews of existing products)
     * @param documents documents written in that time
     */
    public record Maintenance(String kind, long affected, long documents, double seconds, double documentsPerSecond, String cpu) {
    }

    private static final String CONSTANT = "constant";

    private Sync sync;
    private final Map<Integer, Lag> lag = new LinkedHashMap<>();
    private final Map<String, Load> api = new LinkedHashMap<>();
    private Load cached;
    private Load database;
    private final List<CapacityBench.Curve> capacity = new ArrayList<>();
    private Load viewCached;
    private Load viewRedis;
    private Load viewSql;
    private Load viewConstant;
    private Load viewCachedAlone;
    private Load viewSqlAlone;
    private Maintenance viewReference;
    private Maintenance viewChildren;

    void sync(Sync s) {
        this.sync = s;
    }

    void lag(Lag l) {
        lag.put(l.rate(), l);
    }

    void api(String scenario, Load load) {
        api.put(scenario, load);
    }

    void capacity(CapacityBench.Curve curve) {
        capacity.add(curve);
    }

    void cachedVsDb(Load cachedLoad, Load databaseLoad) {
        this.cached = cachedLoad;
        this.database = databaseLoad;
    }

    /**
     * The view section's reads: as deployed (L1, then Redis), Redis only (L1 off), the same document built by SQL on every
     * request, and the constant route of that server.
     */
    void viewReads(Load cachedLoad, Load redisLoad, Load sqlLoad, Load constantLoad) {
        this.viewCached = cachedLoad;
        this.viewRedis = redisLoad;
        this.viewSql = sqlLoad;
        this.viewConstant = constantLoad;
    }

    /** The view section's reads at one connection: latency without a queue in front of the cores. */
    void viewReadsAlone(Load cachedLoad, Load sqlLoad) {
        this.viewCachedAlone = cachedLoad;
        this.viewSqlAlone = sqlLoad;
    }

    /** The view section's maintenance: a reference changed (every brand renamed) and children changed (every review updated). */
    void viewMaintenance(Maintenance reference, Maintenance children) {
        this.viewReference = reference;
        this.viewChildren = children;
    }

    /** 1 - the view's cached p50 / its SQL-built p50 (0 when the view section did not run). */
    double viewReduction() {
        return viewSql == null || viewSql.p50Ms() <= 0 ? 0 : 1 - viewCached.p50Ms() / viewSql.p50Ms();
    }

    /** 1 - cached p50 / database p50. */
    double reduction() {
        return database == null || database.p50Ms() <= 0 ? 0 : 1 - cached.p50Ms() / database.p50Ms();
    }

    /**
     * 1 - constant route p50 / database p50: what a cache that costs nothing could gain over the database at this load
     * (the constant route serves from memory on the same server), or NaN when either did not run.
     */
    double ceilingReduction() {
        Load constant = api.get(CONSTANT);
        return constant == null || database == null || database.p50Ms() <= 0 ? Double.NaN : 1 - constant.p50Ms() / database.p50Ms();
    }

    /**
     * A throughput as a share of the Redis ceiling measured in the same run: the machine's speed varies about 3 x from
     * day to day, the share much less.
     */
    double ofCeiling(double eps) {
        return sync == null || sync.ceilingOps() <= 0 ? Double.NaN : eps / sync.ceilingOps();
    }

    /** Requests per second as a share of the constant route's in the same run (NaN when it did not run). */
    double ofConstant(Load load) {
        Load constant = api.get(CONSTANT);
        return constant == null || constant.rps() <= 0 ? Double.NaN : load.rps() / constant.rps();
    }

    /** The shape issue 7 asks for, each throughput also as a share of its ceiling in this run; sections that did not run are left out. */
    public ObjectNode json() {
        ObjectNode root = ValueCodec.mapper().createObjectNode();
        if (sync != null) {
            root.putObject("sync").put("batched_eps", round(sync.batchedEps(), 0)).put("naive_eps", round(sync.naiveEps(), 0))
                    .put("ceiling_ops", round(sync.ceilingOps(), 0))
                    .put("batched_of_ceiling", round(ofCeiling(sync.batchedEps()), 3)).put("naive_of_ceiling", round(ofCeiling(sync.naiveEps()), 3));
        }
        if (!lag.isEmpty()) {
            ObjectNode l = root.putObject("lag_ms");
            lag.values().forEach(x -> l.putObject(Integer.toString(x.rate())).put("p50", x.p50()).put("p99", x.p99()).put("max", x.max()));
        }
        if (!api.isEmpty()) {
            ObjectNode a = root.putObject("api");
            api.forEach((name, x) -> {
                ObjectNode scenario = a.putObject(name).put("rps", round(x.rps(), 0)).put("p50_ms", round(x.p50Ms(), 3)).put("p99_ms", round(x.p99Ms(), 3));
                if (api.containsKey(CONSTANT)) {
                    scenario.put("of_constant", round(ofConstant(x), 3));
                }
            });
        }
        if (cached != null && database != null) {
            root.putObject("cached_vs_db").put("cached_p50_ms", round(cached.p50Ms(), 3)).put("db_p50_ms", round(database.p50Ms(), 3))
                    .put("reduction", round(reduction(), 3));
        }
        if (viewCached != null) {
            ObjectNode v = root.putObject("view");
            load(v.putObject("cached"), viewCached);
            load(v.putObject("redis"), viewRedis);
            load(v.putObject("sql"), viewSql);
            load(v.putObject("constant"), viewConstant);
            v.put("p50_reduction", round(viewReduction(), 3));
            v.put("bound_p50_reduction", round(viewSql.p50Ms() <= 0 ? 0 : 1 - viewConstant.p50Ms() / viewSql.p50Ms(), 3));
            if (viewCachedAlone != null) {
                ObjectNode alone = v.putObject("one_connection");
                load(alone.putObject("cached"), viewCachedAlone);
                load(alone.putObject("sql"), viewSqlAlone);
                alone.put("p50_reduction", round(viewSqlAlone.p50Ms() <= 0 ? 0 : 1 - viewCachedAlone.p50Ms() / viewSqlAlone.p50Ms(), 3));
            }
        }
        if (viewReference != null) {
            ObjectNode v = root.has("view") ? (ObjectNode) root.get("view") : root.putObject("view");
            v.put("maintenance_events_per_s", round(viewReference.documentsPerSecond(), 0));
            ObjectNode m = v.putObject("maintenance");
            for (Maintenance x : List.of(viewReference, viewChildren)) {
                m.putObject(x.kind().replace(' ', '_')).put("documents", x.documents()).put("affected", x.affected())
                        .put("seconds", round(x.seconds(), 3)).put("events_per_s", round(x.documentsPerSecond(), 0));
            }
        }
        if (!capacity.isEmpty()) {
            ObjectNode c = root.putObject("capacity");
            for (CapacityBench.Curve curve : capacity) {
                ObjectNode shape = c.putObject(curve.shape().jsonName).put("sustained_tps", round(curve.sustainedTps(), 0))
                        .put("ceiling_tps", round(curve.ceilingTps(), 0)).put("rows_per_transaction", curve.shape().rows);
                ArrayNode points = shape.putArray("curve");
                for (CapacityBench.Point p : curve.points()) {
                    ObjectNode point = points.addObject().put("tps", round(p.tps(), 0)).put("achieved_tps", round(p.achievedTps(), 0))
                            .put("lag_p50_ms", p.lagP50()).put("lag_p99_ms", p.lagP99()).put("lag_max_ms", p.lagMax())
                            .put("ingest_lag_p50_ms", p.ingest().p50()).put("ingest_lag_p99_ms", p.ingest().p99())
                            .put("consumer_lag", p.consumerLag()).put("drained", p.drained());
                    ObjectNode cpu = point.putObject("cpu_percent_of_core");
                    p.cpu().forEach((component, percent) -> cpu.put(component, percent));
                }
            }
        }
        return root;
    }

    private static void load(ObjectNode node, Load x) {
        node.put("p50_ms", round(x.p50Ms(), 3)).put("p99_ms", round(x.p99Ms(), 3)).put("rps", round(x.rps(), 0));
    }

    /** The targets of issues 7, 18 and 19 that the figures of this run can be checked against. */
    public List<Target> targets() {
        List<Target> t = new ArrayList<>();
        if (sync != null) {
            t.add(new Target("batched >= 10 x naive", sync.batchedEps() / Math.max(1, sync.naiveEps()), 10, "x"));
        }
        if (api.containsKey("hit") && api.containsKey("constant")) {
            t.add(new Target("API Redis-hit rps >= 0.6 x constant route", api.get("hit").rps() / Math.max(1, api.get("constant").rps()), 0.6, "x"));
        }
        if (lag.containsKey(2000)) {
            // the target is a ceiling: checked as "250 - p99 >= 0"
            t.add(new Target("e2e lag p99 at 2,000 rows/s <= 250 ms", 250 - lag.get(2000).p99(), 0, "ms of headroom"));
        }
        if (cached != null && database != null) {
            t.add(new Target("cached p50 >= 80 % lower than database", reduction(), 0.8, ""));
        }
        if (sync != null && sync.ceilingOps() > 0) {
            t.add(new Target("sync batched >= 0.35 of the Redis ceiling (issue 19)", ofCeiling(sync.batchedEps()), 0.35, ""));
        }
        if (viewCached != null) {
            t.add(new Target("view cached p50 >= 80 % lower than SQL-built (issue 18)", viewReduction(), 0.8, ""));
        }
        capacity.stream().filter(c -> c.shape() == CapacityBench.Shape.SINGLE_ROW).findFirst().ifPresent(c -> {
            t.add(new Target("single-row commits sustained >= 50 % of PostgreSQL alone (issue 19)",
                    c.ceilingTps() > 0 ? c.sustainedTps() / c.ceilingTps() : 0, 0.5, ""));
            c.points().stream().filter(p -> p.tps() == 2000).findFirst().ifPresent(p ->
                    t.add(new Target("lag p99 at 2,000 single-row commits/s <= 50 ms (issue 19)", 50 - p.lagP99(), 0, "ms of headroom")));
        });
        return t;
    }

    /** A target and the measured value it is checked with. */
    public record Target(String name, double value, double atLeast, String unit) {
        public boolean met() {
            return value >= atLeast;
        }
    }

    /** The human-readable table. */
    public String table() {
        StringBuilder b = new StringBuilder();
        if (sync != null) {
            b.append(String.format(Locale.ROOT, "%nsync (events/s applied to Redis from a pre-filled CDC topic)%n"));
            b.append(String.format(Locale.ROOT, "  %-44s %,12.0f events/s   %.2f of the ceiling %s%n", "batched (cache-sync, versioned, pipelined)",
                    sync.batchedEps(), ofCeiling(sync.batchedEps()), sync.batchedCpu()));
            b.append(String.format(Locale.ROOT, "  %-44s %,12.0f events/s   %.2f of the ceiling (over %,d events) %s%n", "naive (one SET per record)",
                    sync.naiveEps(), ofCeiling(sync.naiveEps()), sync.naiveEvents(), sync.naiveCpu()));
            b.append(String.format(Locale.ROOT, "  %-44s %,12.0f ops/s      (%s)%n", "ceiling (SET, pipelined)", sync.ceilingOps(), sync.ceilingMethod()));
        }
        if (!lag.isEmpty()) {
            b.append(String.format(Locale.ROOT, "%ne2e lag (commit in PostgreSQL -> applied in Redis), ms%n"));
            b.append(String.format(Locale.ROOT, "  %10s %10s %9s %7s %7s %7s%n", "rows/s", "achieved", "changes", "p50", "p99", "max"));
            lag.values().forEach(x -> b.append(String.format(Locale.ROOT, "  %,10d %,10.0f %,9d %7d %7d %7d   %s%n",
                    x.rate(), x.achievedRate(), x.count(), x.p50(), x.p99(), x.max(), x.cpu())));
        }
        if (!api.isEmpty() || cached != null) {
            b.append(String.format(Locale.ROOT, "%nAPI (fixed connection count)%n"));
            b.append(String.format(Locale.ROOT, "  %-12s %12s %10s %9s %9s %11s %7s  %s%n", "scenario", "req/s", "x constant", "p50 ms", "p99 ms",
                    "requests", "errors", "answered from"));
            api.forEach((name, x) -> b.append(row(name, x, ofConstant(x))));
            if (cached != null) {
                b.append(row("cached", cached, ofConstant(cached)));
                b.append(row("database", database, ofConstant(database)));
                b.append(String.format(Locale.ROOT, "  cached vs database p50: %.3f ms vs %.3f ms = %.1f %% lower%n", cached.p50Ms(), database.p50Ms(), 100 * reduction()));
                if (!Double.isNaN(ceilingReduction())) {
                    b.append(String.format(Locale.ROOT, "  bound: the constant route (no cache, no database) is %.1f %% lower than database at this load%n",
                            100 * ceilingReduction()));
                }
            }
            if (api.containsKey("l1_hit") && api.containsKey("constant")) {
                b.append(String.format(Locale.ROOT, "  bound: an L1 hit (no network call) serves %.2f x the constant route%n",
                        api.get("l1_hit").rps() / Math.max(1, api.get("constant").rps())));
            }
        }
        for (CapacityBench.Curve curve : capacity) {
            b.append(String.format(Locale.ROOT, "%ncapacity, %s (transactions of %d row%s, %d connections): sustained %,.0f tx/s with lag p99 < %d ms; "
                            + "PostgreSQL alone %,.0f tx/s (%.0f %%)%n", curve.shape().jsonName, curve.shape().rows, curve.shape().rows == 1 ? "" : "s",
                    CapacityWriters.WRITERS, curve.sustainedTps(), CapacityBench.LAG_LIMIT_MS, curve.ceilingTps(),
                    curve.ceilingTps() > 0 ? 100 * curve.sustainedTps() / curve.ceilingTps() : 0));
            b.append(String.format(Locale.ROOT, "  %9s %9s %9s %7s %7s %7s %13s %9s  %s%n", "tx/s", "achieved", "changes", "p50", "p99", "max",
                    "in Kafka p50/99", "consumer", "CPU % of a core"));
            for (CapacityBench.Point p : curve.points()) {
                b.append(String.format(Locale.ROOT, "  %,9.0f %,9.0f %,9d %7d %7d %7d %13s %,9d  %s%s%n", p.tps(), p.achievedTps(), p.changes(), p.lagP50(),
                        p.lagP99(), p.lagMax(), p.ingest().p50() + "/" + p.ingest().p99(), p.consumerLag(), p.cpu(),
                        p.drained() ? "" : "  (not drained in 60 s)"));
            }
        }
        if (viewCached != null) {
            b.append(String.format(Locale.ROOT, "%nview product_pages (product + brand + stock + review summary; fixed connection count)%n"));
            b.append(String.format(Locale.ROOT, "  %-12s %12s %10s %9s %9s %11s %7s  %s%n", "scenario", "req/s", "x constant", "p50 ms", "p99 ms",
                    "requests", "errors", "answered from"));
            double constantRps = viewConstant.rps();
            for (Map.Entry<String, Load> e : List.of(Map.entry("cached", viewCached), Map.entry("redis (no L1)", viewRedis), Map.entry("sql", viewSql),
                    Map.entry(CONSTANT, viewConstant))) {
                b.append(row(e.getKey(), e.getValue(), constantRps <= 0 ? Double.NaN : e.getValue().rps() / constantRps));
            }
            b.append(String.format(Locale.ROOT, "  cached vs built by SQL p50: %.3f ms vs %.3f ms = %.1f %% lower (Redis only: %.1f %% lower)%n",
                    viewCached.p50Ms(), viewSql.p50Ms(), 100 * viewReduction(),
                    viewSql.p50Ms() <= 0 ? 0 : 100 * (1 - viewRedis.p50Ms() / viewSql.p50Ms())));
            b.append(String.format(Locale.ROOT, "  bound: the constant route is %.1f %% lower than built by SQL at this load%n",
                    viewSql.p50Ms() <= 0 ? 0 : 100 * (1 - viewConstant.p50Ms() / viewSql.p50Ms())));
            if (viewCachedAlone != null) {
                b.append(String.format(Locale.ROOT, "  at one connection (no queue): cached p50 %.3f ms (%,.0f req/s) vs built by SQL %.3f ms (%,.0f req/s) = %.1f %% lower%n",
                        viewCachedAlone.p50Ms(), viewCachedAlone.rps(), viewSqlAlone.p50Ms(), viewSqlAlone.rps(),
                        viewSqlAlone.p50Ms() <= 0 ? 0 : 100 * (1 - viewCachedAlone.p50Ms() / viewSqlAlone.p50Ms())));
            }
        }
        if (viewReference != null) {
            b.append(String.format(Locale.ROOT, "%nview maintenance (documents written from the commit until the last one the change caused; median round)%n"));
            for (Maintenance x : List.of(viewReference, viewChildren)) {
                b.append(String.format(Locale.ROOT, "  %-16s %,8d documents (%,d affected) in %6.2f s = %,9.0f documents/s   %s%n", x.kind(),
                        x.documents(), x.affected(), x.seconds(), x.documentsPerSecond(), x.cpu()));
            }
        }
        List<Target> targets = targets();
        if (!targets.isEmpty()) {
            b.append(String.format(Locale.ROOT, "%ntargets%n"));
            targets.forEach(t -> b.append(String.format(Locale.ROOT, "  %-4s %-44s %.2f %s%n", t.met() ? "ok" : "MISS", t.name(), t.value(), t.unit())));
        }
        return b.toString();
    }

    private static String row(String name, Load x, double ofConstant) {
        return String.format(Locale.ROOT, "  %-12s %,12.0f %10s %9.3f %9.3f %,11d %,7d  %s%n  %-12s %s%n", name, x.rps(),
                Double.isNaN(ofConstant) ? "-" : String.format(Locale.ROOT, "%.2f", ofConstant), x.p50Ms(), x.p99Ms(), x.requests(), x.errors(),
                x.answeredFrom(), "", x.cpu());
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
