package io.cachesync.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

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

    @Test
    void sectionsThatDidNotRunAreLeftOut() {
        BenchReport r = new BenchReport();
        r.lag(new BenchReport.Lag(2000, 1990, 100, 10, 20, 30, ""));
        assertThat(fields(r.json())).containsExactly("lag_ms");
        assertThat(r.targets()).extracting(BenchReport.Target::name).containsExactly("e2e lag p99 at 2,000 rows/s <= 250 ms");
    }

    @Test
    void targetsAreMetOnlyAtOrAboveTheirThresholds() {
        List<BenchReport.Target> met = full(100_000, 10_000, 250, 30_000, 50_000, 0.2, 1.0).targets();
        assertThat(met).hasSize(4).allMatch(BenchReport.Target::met);
        List<BenchReport.Target> missed = full(99_000, 10_000, 251, 29_000, 50_000, 0.21, 1.0).targets();
        assertThat(missed).hasSize(4).noneMatch(BenchReport.Target::met);
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
}
