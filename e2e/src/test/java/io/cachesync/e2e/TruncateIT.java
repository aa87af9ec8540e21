package io.cachesync.e2e;

import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A TRUNCATE, alone and as the first statement of a reload (TRUNCATE, then INSERT the new contents, in one transaction —
 * how reference tables are often refreshed). Before, Debezium skipped truncates: every cached row of the old contents
 * stayed, served, until its TTL. Now cdc-ingest publishes the truncate to every partition of the table's topic and
 * cache-sync deletes each cached row older than it, keeping the rows the same transaction inserted after it.
 */
class TruncateIT {
    static final int SEEDED = 40;

    @Test
    void aTruncateDeletesTheCachedRowsOlderThanItAndKeepsWhatTheSameTransactionInsertedAfterIt() throws Exception {
        try (Pipeline p = Pipeline.start(Pipeline.RedisKind.of(getClass()), Map.of("entities", "codes", "entities.codes.table", "public.codes", "entities.codes.lists", "kind"),
                "CREATE TABLE public.codes (code text PRIMARY KEY, kind text, label text);"
                        + "INSERT INTO public.codes SELECT 'c' || g, 'k' || (g % 3), 'old ' || g FROM generate_series(1, " + SEEDED + ") g",
                SEEDED)) {
            assertThat(p.get("/v1/codes?kind=k1").body()).contains("old 1");   // a cached list page
            p.sql("BEGIN; TRUNCATE public.codes; INSERT INTO public.codes SELECT 'c' || g, 'k1', 'new ' || g FROM generate_series(30, 50) g;"
                    + " COMMIT");
            await().alias("the rows of the old contents deleted").atMost(Duration.ofMinutes(1))
                    .until(() -> "1".equals(p.redis.hget(p.row("codes", "c1"), "x")) && "1".equals(p.redis.hget(p.row("codes", "c29"), "x")));
            await().alias("the reloaded rows cached").atMost(Duration.ofMinutes(1))
                    .until(() -> String.valueOf(p.redis.hget(p.row("codes", "c40"), "d")).contains("new 40")
                            && String.valueOf(p.redis.hget(p.row("codes", "c50"), "d")).contains("new 50"));
            HttpResponse<String> gone = p.get("/v1/codes/c5");
            assertThat(gone.statusCode()).isEqualTo(404);
            assertThat(p.get("/v1/codes?kind=k1").body()).as("the list page read again").contains("new 30").doesNotContain("old ");

            p.sql("TRUNCATE public.codes");
            await().alias("a truncate alone").atMost(Duration.ofMinutes(1))
                    .until(() -> "1".equals(p.redis.hget(p.row("codes", "c40"), "x")));
            p.sql("INSERT INTO public.codes VALUES ('c1', 'k0', 'again')");
            await().atMost(Duration.ofMinutes(1)).until(() -> String.valueOf(p.redis.hget(p.row("codes", "c1"), "d")).contains("again"));

            assertThat(p.drainAndVerify("codes").checked()).isPositive();
            assertThat(p.rowKeys("codes").stream().filter(k -> p.redis.hget(k, "d") != null)).as("only the row there is")
                    .containsExactly(p.row("codes", "c1"));
        }
    }

    @Test
    void aTruncateOfAViewsPartsTakesTheirRowsOutOfItsDocuments() throws Exception {
        try (Pipeline p = Pipeline.start(Pipeline.RedisKind.of(getClass()), Map.ofEntries(
                        Map.entry("entities", "owners,kinds,pets"),
                        Map.entry("views", "owner_pages"),
                        Map.entry("views.owner_pages.root", "owners"),
                        Map.entry("views.owner_pages.references", "kind"),
                        Map.entry("views.owner_pages.references.kind.entity", "kinds"),
                        Map.entry("views.owner_pages.references.kind.via", "kind_id"),
                        Map.entry("views.owner_pages.children", "pets"),
                        Map.entry("views.owner_pages.children.pets.parent", "owner_id"),
                        Map.entry("views.owner_pages.children.pets.columns", "name")),
                "CREATE TABLE public.owners (id bigint PRIMARY KEY, name text, kind_id bigint);"
                        + "CREATE TABLE public.kinds (id bigint PRIMARY KEY, label text);"
                        + "CREATE TABLE public.pets (id bigint PRIMARY KEY, owner_id bigint, name text);"
                        + "INSERT INTO public.owners SELECT g, 'owner ' || g, 1 + g % 3 FROM generate_series(1, 6) g;"
                        + "INSERT INTO public.kinds SELECT g, 'kind ' || g FROM generate_series(1, 3) g;"
                        + "INSERT INTO public.pets SELECT g, 1 + g % 6, 'old pet ' || g FROM generate_series(1, 24) g",
                6 + 3 + 24)) {
            await().alias("the view documents composed").atMost(Duration.ofMinutes(1))
                    .until(() -> String.valueOf(p.redis.hget(p.row("owner_pages", "2"), "d")).contains("old pet 1\""));
            assertThat(p.get("/v1/owner_pages/2").body()).contains("\"label\":\"kind 3\"", "old pet 7");

            p.sql("BEGIN; TRUNCATE public.pets; INSERT INTO public.pets VALUES (100, 2, 'new pet'); COMMIT");
            await().alias("the truncated children out of every document, the child inserted after the truncate in").atMost(Duration.ofMinutes(1))
                    .until(() -> String.valueOf(p.redis.hget(p.row("owner_pages", "2"), "d")).contains("new pet")
                            && !String.valueOf(p.redis.hget(p.row("owner_pages", "2"), "d")).contains("old pet")
                            && String.valueOf(p.redis.hget(p.row("owner_pages", "3"), "d")).contains("\"pets\":[]"));

            p.sql("TRUNCATE public.kinds");
            await().alias("a truncated referenced table: the reference gone").atMost(Duration.ofMinutes(1))
                    .until(() -> String.valueOf(p.redis.hget(p.row("owner_pages", "2"), "d")).contains("\"kind\":null"));
            p.sql("UPDATE public.owners SET name = 'renamed' WHERE id = 2");
            await().alias("a later change of the root composes without the truncated rows").atMost(Duration.ofMinutes(1))
                    .until(() -> String.valueOf(p.redis.hget(p.row("owner_pages", "2"), "d")).contains("renamed"));
            assertThat(p.redis.hget(p.row("owner_pages", "2"), "d")).doesNotContain("old pet", "kind 3").contains("new pet");

            assertThat(p.drainAndVerify("owner_pages").checked()).isEqualTo(6);
        }
    }
}
