package io.cachesync.e2e;

import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Lists by a column that is not text: {@code ?owner_id=42}, {@code ?open=true}, {@code ?team=<uuid>}, {@code ?code=c7}
 * on a {@code char(4)}. A page is stored under the generation of its value, which cache-sync names with the value's text
 * in the cached document. Before, the API took the request's text as it came and compared {@code "owner_id"::text = ?}:
 * a page asked for as {@code owner_id=07} (or {@code open=TRUE}, an upper-case UUID, {@code code=c7} without its padding)
 * was stored under a generation cache-sync never bumped, so it stayed stale for the list's TTL; {@code ?open=maybe}
 * answered an empty page; and every miss read the whole table, since a cast column cannot use its index.
 */
class TypedListsIT {
    static final int TICKETS = 20_000;
    static final String TEAM_7 = "00000000-0000-4000-8000-000000000007";

    @Test
    void listValuesAreReadByTheirColumnsTypeFollowChangesAndUseTheColumnsIndex() throws Exception {
        try (Pipeline p = Pipeline.start(Map.of("entities", "tickets", "entities.tickets.table", "public.tickets",
                        "entities.tickets.lists", "owner_id,open,team,code",
                        // a page the pipeline does not invalidate stays stale far longer than this test waits
                        "entities.tickets.list-ttl", "10m"),
                "CREATE TABLE public.tickets (id bigint PRIMARY KEY, owner_id bigint NOT NULL, open boolean NOT NULL, team uuid NOT NULL,"
                        + " code char(4) NOT NULL, title text NOT NULL);"
                        + "INSERT INTO public.tickets SELECT g, g % 2000, g % 2 = 0,"
                        + " ('00000000-0000-4000-8000-' || lpad(to_hex(g % 1000), 12, '0'))::uuid, 'c' || (g % 500), 'ticket ' || g"
                        + " FROM generate_series(1, " + TICKETS + ") g;"
                        + "CREATE INDEX tickets_owner ON public.tickets (owner_id); CREATE INDEX tickets_team ON public.tickets (team);"
                        + "ANALYZE public.tickets",
                TICKETS)) {
            HttpResponse<String> seven = p.get("/v1/tickets?owner_id=7");
            assertThat(seven.statusCode()).isEqualTo(200);
            assertThat(seven.body()).contains("\"id\":7,", "\"id\":2007,", "\"id\":18007,");
            assertThat(p.get("/v1/tickets?owner_id=007").body()).as("the same value, the same page").isEqualTo(seven.body());

            for (String bad : new String[] {"owner_id=abc", "owner_id=7.5", "open=maybe", "team=not-a-uuid", "code=c7777"}) {
                HttpResponse<String> refused = p.get("/v1/tickets?" + bad);
                assertThat(refused.statusCode()).as(bad).isEqualTo(400);
                assertThat(refused.headers().firstValue("Content-Type")).as(bad).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
                assertThat(refused.body()).as(bad).contains("of tickets is ", "not '" + bad.substring(bad.indexOf('=') + 1) + "'");
            }

            // each page cached under the form the client used, then a row of it changes
            String[] asked = {"owner_id=07", "open=TRUE", "team=" + TEAM_7.toUpperCase(), "code=c7"};
            long[] changed = {2007, 4, 3007, 507};
            for (int i = 0; i < asked.length; i++) {
                String path = "/v1/tickets?" + asked[i] + "&per_page=100";
                assertThat(p.get(path).body()).as(asked[i]).contains("\"id\":" + changed[i] + ",");
                assertThat(p.get(path).headers().firstValue("X-Cache")).as(asked[i]).hasValue("HIT");
            }
            for (int i = 0; i < asked.length; i++) {
                p.sql("UPDATE public.tickets SET title = 'changed " + i + "' WHERE id = " + changed[i]);
            }
            for (int i = 0; i < asked.length; i++) {
                String path = "/v1/tickets?" + asked[i] + "&per_page=100";
                String change = "changed " + i;
                await().alias(asked[i] + " follows the change of row " + changed[i]).atMost(Duration.ofSeconds(30))
                        .until(() -> p.get(path).body().contains(change));
            }
            assertThat(p.get("/v1/tickets?code=c7").body()).as("char(4) is served padded, as stored").contains("\"code\":\"c7  \"");
            assertThat(p.redis.get("cs:_gen:tickets:owner_id=7")).isNotNull();
            assertThat(p.redis.get("cs:_gen:tickets:team=" + TEAM_7)).isNotNull();

            int owners = 20;
            for (int owner = 100; owner < 100 + owners; owner++) {
                assertThat(p.get("/v1/tickets?owner_id=" + owner).statusCode()).isEqualTo(200);
            }
            await().alias("the list misses by owner read its index").atMost(Duration.ofSeconds(30))
                    .until(() -> indexScans(p, "tickets_owner") >= owners);

            assertThat(p.drainAndVerify("tickets").checked()).isEqualTo(TICKETS);

            // the column's type changed under a running query-api, which compares it as a bigint: not an outage
            p.sql("ALTER TABLE public.tickets ALTER COLUMN owner_id TYPE text");
            HttpResponse<String> retyped = p.get("/v1/tickets?owner_id=8");
            assertThat(retyped.statusCode()).as(retyped.body()).isEqualTo(503);
            assertThat(retyped.body()).contains("entity-unavailable", "tickets cannot be read").doesNotContain("42883", "bigint");
        }
    }

    /** How often PostgreSQL read {@code index} (its statistics reach other sessions within seconds). */
    private static long indexScans(Pipeline p, String index) throws Exception {
        try (Connection c = p.stack.postgres().connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = '" + index + "'")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }
}
