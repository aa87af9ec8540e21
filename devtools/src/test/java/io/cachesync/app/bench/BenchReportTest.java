package io.cachesync.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.core.metrics.LagRecorder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The JSON of {@code cachesync bench --json} has exactly the shape issue 7 gives, and the targets are judged right. */
class BenchReportTest {

    private static BenchReport full(double batched, double naive, long p99At2000, double hitRps, double constantRps, double cachedP50, double dbP50) {
        BenchReport r = new BenchReport();
        r.sync(new BenchReport.Sync(batched, naive, 500_000, 700_000, "redis-benchmark", "", ""));
        r.lag(new BenchReport.Lag(500, 500, 10_000, 18, 40, 70, ""));
        r.lag(new BenchReport.Lag(2000, 2000, 40_000, 19, p99At2000, 90, ""));
        r.lag(new BenchReport.Lag(5000, 5000, 100_000, 22, 60, 120, ""));
        BenchReport.Load any = new BenchReport.Load(10_000, 1.5, 7.25, 100_000, 0, "", "");
        r.api("hit", new BenchReport.Load(hitRps, 1.2, 6.0, 100_000, 0, "", ""));
        r.api("l1_hit", any);
        r.api("miss", any);
        r.api("constant", new BenchReport.Load(constantRps, 0.5, 2.0, 100_000, 0, "", ""));
        r.cachedVsDb(new BenchReport.Load(20_000, cachedP50, 5, 1, 0, "", ""), new BenchReport.Load(15_000, dbP50, 9, 1, 0, "", ""));
        return r;
    }

    private static List<String> fields(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void jsonHasExactlyTheIssuesShapeAndOnlyNumbers() {
        JsonNode j = full(60_000, 12_000, 40, 20_000, 50_000, 1.2, 1.7).json();
        assertThat(fields(j)).containsExactly("sync", "lag_ms", "api", "cached_vs_db");
        assertThat(fields(j.get("sync"))).containsExactly("batched_eps", "naive_eps", "ceiling_ops", "batched_of_ceiling", "naive_of_ceiling");
        assertThat(fields(j.get("lag_ms"))).containsExactly("500", "2000", "5000");
        for (JsonNode rate : j.get("lag_ms")) {
            assertThat(fields(rate)).containsExactly("p50", "p99", "max");
        }
        assertThat(fields(j.get("api"))).containsExactlyInAnyOrder("hit", "l1_hit", "miss", "constant");
        for (JsonNode scenario : j.get("api")) {
            assertThat(fields(scenario)).containsExactly("rps", "p50_ms", "p99_ms", "of_constant");
        }
        assertThat(fields(j.get("cached_vs_db"))).containsExactly("cached_p50_ms", "db_p50_ms", "reduction");
        List<JsonNode> leaves = new ArrayList<>();
        j.forEach(section -> section.forEach(v -> {
            if (v.isContainerNode()) {
                v.forEach(leaves::add);
            } else {
                leaves.add(v);
            }
        }));
        assertThat(leaves).hasSize(5 + 9 + 16 + 3).allMatch(JsonNode::isNumber);
        assertThat(j.at("/sync/batched_of_ceiling").asDouble()).as("60,000 of 700,000").isEqualTo(0.086);
        assertThat(j.at("/api/hit/of_constant").asDouble()).as("20,000 of 50,000").isEqualTo(0.4);
        assertThat(j.at("/lag_ms/2000/p99").asLong()).isEqualTo(40);
        assertThat(j.at("/cached_vs_db/reduction").asDouble()).isEqualTo(0.294);
    }

    @Test
    void theTableGivesEveryThroughputAsAShareOfItsCeiling() {
        String table = full(60_000, 12_000, 40, 20_000, 50_000, 1.2, 2.0).table();
        assertThat(table).contains("0.09 of the ceiling").contains("0.02 of the ceiling (over 500,000 events)");
        assertThat(table).containsPattern("hit +20,000 +0\\.40 ").containsPattern("constant +50,000 +1\\.00 ");
    }

    @Test
    void withoutTheConstantRouteNoShareIsInvented() {
        BenchReport r = new BenchReport();
        r.api("hit", new BenchReport.Load(20_000, 1.2, 6.0, 100_000, 0, "", ""));
        assertThat(fields(r.json().get("api").get("hit"))).containsExactly("rps", "p50_ms", "p99_ms");
        assertThat(r.table()).containsPattern("hit +20,000 +- ");
    }

    private static CapacityBench.Point point(double tps, double achieved, long p99, boolean drained) {
        return new CapacityBench.Point(tps, achieved, achieved, 1000, 10, p99, p99 + 5, new LagRecorder.Snapshot(1000, 4, p99 / 2, p99), 12, drained,
                Map.of("sync", 55.5, "postgres", 80.0));
    }

    @Test
    void capacityHasTheShapeIssue19AsksForAndItsTargets() {
        BenchReport r = new BenchReport();
        r.capacity(new CapacityBench.Curve(CapacityBench.Shape.SINGLE_ROW, 2000, 6000,
                List.of(point(500, 500, 20, true), point(1000, 1000, 30, true), point(2000, 1990, 45, true), point(3000, 2400, 1500, false))));
        r.capacity(new CapacityBench.Curve(CapacityBench.Shape.BATCH_10, 300, 900, List.of(point(50, 50, 20, true))));
        JsonNode c = r.json().get("capacity");
        assertThat(fields(c)).containsExactly("single_row", "batch_10");
        assertThat(fields(c.get("single_row"))).containsExactly("sustained_tps", "ceiling_tps", "rows_per_transaction", "curve");
        assertThat(c.at("/single_row/sustained_tps").asDouble()).isEqualTo(2000);
        assertThat(c.at("/single_row/ceiling_tps").asDouble()).isEqualTo(6000);
        assertThat(c.at("/batch_10/rows_per_transaction").asInt()).isEqualTo(10);
        JsonNode last = c.at("/single_row/curve/3");
        assertThat(fields(last)).containsExactly("tps", "achieved_tps", "lag_p50_ms", "lag_p99_ms", "lag_max_ms", "ingest_lag_p50_ms", "ingest_lag_p99_ms", "consumer_lag", "drained",
                "cpu_percent_of_core");
        assertThat(last.get("lag_p99_ms").asLong()).isEqualTo(1500);
        assertThat(last.get("ingest_lag_p99_ms").asLong()).as("commit -> in Kafka, the part before cache-sync").isEqualTo(750);
        assertThat(last.get("drained").asBoolean()).isFalse();
        assertThat(last.at("/cpu_percent_of_core/sync").asDouble()).isEqualTo(55.5);
        assertThat(r.targets()).extracting(BenchReport.Target::name).containsExactly(
                "single-row commits sustained >= 50 % of PostgreSQL alone (issue 19)", "lag p99 at 2,000 single-row commits/s <= 50 ms (issue 19)");
        assertThat(r.targets()).extracting(BenchReport.Target::met).containsExactly(false, true);
        assertThat(r.table()).contains("capacity, single_row (transactions of 1 row, 4 connections): sustained 2,000 tx/s")
                .contains("PostgreSQL alone 6,000 tx/s (33 %)").contains("(not drained in 60 s)");
    }

    @Test
    void aRateIsSustainedOnlyWhenAchievedDrainedAndUnderOneSecond() {
        assertThat(point(2000, 1800, 999, true).sustained()).isTrue();
        assertThat(point(2000, 1799, 999, true).sustained()).as("the writers fell behind").isFalse();
        assertThat(point(2000, 2000, 1000, true).sustained()).as("lag p99 at the limit").isFalse();
        assertThat(point(2000, 2000, 10, false).sustained()).as("not drained").isFalse();
    }

    @Test
    void sectionsThatDidNotRunAreLeftOut() {
        BenchReport r = new BenchReport();
        r.lag(new BenchReport.Lag(2000, 1990, 100, 10, 20, 30, ""));
        assertThat(fields(r.json())).containsExactly("lag_ms");
        assertThat(r.targets()).extracting(BenchReport.Target::name).containsExactly("e2e lag p99 at 2,000 rows/s <= 250 ms");
    }

    @Test
    void targetsAreMetOnlyAtOrAboveTheirThresholds() {
        // batched 245,000 of a 700,000 ceiling is 0.35: issue 19's share
        List<BenchReport.Target> met = full(245_000, 24_500, 250, 30_000, 50_000, 0.2, 1.0).targets();
        assertThat(met).hasSize(5).allMatch(BenchReport.Target::met);
        List<BenchReport.Target> missed = full(99_000, 10_000, 251, 29_000, 50_000, 0.21, 1.0).targets();
        assertThat(missed).hasSize(5).noneMatch(BenchReport.Target::met);
        assertThat(full(60_000, 12_000, 40, 20_000, 50_000, 1.2, 1.7).table()).contains("MISS batched >= 10 x naive").contains("ok   e2e lag p99");
    }

    @Test
    void theTableGivesTheBoundsTheConstantRouteSets() {
        // constant p50 0.5 ms vs database 2.0 ms: even a free cache is only 75 % faster; L1 10,000 of constant 50,000
        String table = full(60_000, 12_000, 40, 20_000, 50_000, 1.2, 2.0).table();
        assertThat(table).contains("the constant route (no cache, no database) is 75.0 % lower than database")
                .contains("an L1 hit (no network call) serves 0.20 x the constant route");
        assertThat(full(60_000, 12_000, 40, 20_000, 50_000, 1.2, 2.0).ceilingReduction()).isEqualTo(0.75);
    }

    private static BenchReport withView(double cachedP50, double sqlP50) {
        BenchReport r = new BenchReport();
        r.viewReads(new BenchReport.Load(20_000, cachedP50, 4, 200_000, 0, "L1 60.0 %, Redis 40.0 %, PostgreSQL 0.0 %", ""),
                new BenchReport.Load(15_000, 1.5, 6, 150_000, 0, "", ""), new BenchReport.Load(4_000, sqlP50, 20, 40_000, 0, "", ""),
                new BenchReport.Load(40_000, 0.5, 2, 400_000, 0, "", ""));
        r.viewMaintenance(new BenchReport.Maintenance("brand renames", 9_800, 9_800, 2.0, 4_900, ""),
                new BenchReport.Maintenance("review updates", 7_500, 7_500, 3.0, 2_500, ""));
        return r;
    }

    @Test
    void theViewSectionHasTheShapeIssue18AsksForAndItsTarget() {
        JsonNode j = withView(1.0, 8.0).json();
        assertThat(fields(j)).containsExactly("view");
        JsonNode v = j.get("view");
        assertThat(fields(v)).containsExactly("cached", "redis", "sql", "constant", "p50_reduction", "bound_p50_reduction",
                "maintenance_events_per_s", "maintenance");
        for (String scenario : List.of("cached", "redis", "sql", "constant")) {
            assertThat(fields(v.get(scenario))).containsExactly("p50_ms", "p99_ms", "rps");
        }
        assertThat(v.get("p50_reduction").asDouble()).as("1 - 1.0 / 8.0").isEqualTo(0.875);
        assertThat(v.get("bound_p50_reduction").asDouble()).as("1 - 0.5 / 8.0").isEqualTo(0.938);
        assertThat(v.get("maintenance_events_per_s").asDouble()).as("the reference change: brand renames").isEqualTo(4_900);
        assertThat(fields(v.get("maintenance"))).containsExactly("brand_renames", "review_updates");
        assertThat(v.at("/maintenance/review_updates/events_per_s").asDouble()).isEqualTo(2_500);
        assertThat(withView(1.0, 8.0).targets()).singleElement().satisfies(t -> {
            assertThat(t.name()).isEqualTo("view cached p50 >= 80 % lower than SQL-built (issue 18)");
            assertThat(t.met()).isTrue();
        });
        assertThat(withView(1.0, 4.0).targets()).singleElement().satisfies(t -> assertThat(t.met()).as("75 % lower").isFalse());
        assertThat(withView(1.0, 8.0).table()).contains("cached vs built by SQL p50: 1.000 ms vs 8.000 ms = 87.5 % lower")
                .contains("brand renames").contains("4,900 documents/s");
    }

    @Test
    void theViewAtOneConnectionIsReportedBesideTheLoadedFigures() {
        BenchReport r = withView(1.0, 8.0);
        r.viewReadsAlone(new BenchReport.Load(2_000, 0.4, 1, 20_000, 0, "", ""), new BenchReport.Load(500, 1.6, 4, 5_000, 0, "", ""));
        JsonNode alone = r.json().at("/view/one_connection");
        assertThat(fields(alone)).containsExactly("cached", "sql", "p50_reduction");
        assertThat(alone.get("p50_reduction").asDouble()).as("1 - 0.4 / 1.6").isEqualTo(0.75);
        assertThat(r.targets()).singleElement().satisfies(t -> assertThat(t.value()).as("the target stays on the loaded figures").isEqualTo(0.875));
        assertThat(r.table()).contains("at one connection (no queue): cached p50 0.400 ms (2,000 req/s) vs built by SQL 1.600 ms (500 req/s) = 75.0 % lower");
    }
}
