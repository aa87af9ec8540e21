package io.cachesync.e2e;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tables and columns named as ORMs name them — {@code "Customer"}, {@code "Order"} (a reserved word), {@code "customerId"},
 * {@code "Status"} — which PostgreSQL keeps only when quoted. Before, the configuration refused every name that was not
 * plain lower case, so such a schema could not be cached at all. Now each name is taken as PostgreSQL stores it and
 * quoted wherever cachesync writes SQL; Debezium's include and exclude lists, the publication, the incremental snapshot
 * of a resync, lists, search, a view and verify all see the same names.
 */
class QuotedIdentifiersIT {
    static final int CUSTOMERS = 12;
    static final int ORDERS = 24;
    static final String TOKEN = "admin-token-0123456789abcdef";

    @Test
    void mixedCaseTablesAndColumnsAreCachedListedSearchedAndViewed() throws Exception {
        try (Pipeline p = Pipeline.start(Map.ofEntries(
                        Map.entry("entities", "customers,orders"),
                        Map.entry("entities.customers.table", "public.Customer"),
                        Map.entry("entities.customers.sensitive", "SSN"),
                        Map.entry("entities.customers.lists", "Status"),
                        Map.entry("entities.customers.search.fields", "fullName"),
                        Map.entry("entities.orders.table", "public.Order"),
                        Map.entry("entities.orders.lists", "customerId"),
                        Map.entry("views", "customer_pages"),
                        Map.entry("views.customer_pages.root", "customers"),
                        Map.entry("views.customer_pages.columns", "customerId,fullName,Status"),
                        Map.entry("views.customer_pages.children", "orders"),
                        Map.entry("views.customer_pages.children.orders.parent", "customerId"),
                        Map.entry("views.customer_pages.children.orders.columns", "orderId,Total"),
                        Map.entry("api.admin-token", TOKEN)),
                "CREATE TABLE public.\"Customer\" (\"customerId\" bigint PRIMARY KEY, \"fullName\" text NOT NULL,"
                        + " \"Status\" text NOT NULL, \"SSN\" text, \"createdAt\" timestamptz NOT NULL DEFAULT now());"
                        + "CREATE TABLE public.\"Order\" (\"orderId\" bigint PRIMARY KEY, \"customerId\" bigint NOT NULL, \"Total\" numeric(10,2));"
                        + "INSERT INTO public.\"Customer\" (\"customerId\", \"fullName\", \"Status\", \"SSN\") SELECT g, 'customer ' || g,"
                        + " CASE WHEN g % 2 = 0 THEN 'active' ELSE 'closed' END, 'ssn-' || g FROM generate_series(1, " + CUSTOMERS + ") g;"
                        + "INSERT INTO public.\"Order\" SELECT g, 1 + g % " + CUSTOMERS + ", g * 1.25 FROM generate_series(1, " + ORDERS + ") g",
                CUSTOMERS + ORDERS)) {
            String snapshotted = p.redis.hget(p.row("customers", "4"), "d");
            assertThat(snapshotted).contains("\"customerId\":4", "\"fullName\":\"customer 4\"", "\"Status\":\"active\"", "\"createdAt\"")
                    .doesNotContain("SSN", "ssn-4");

            p.sql("UPDATE public.\"Customer\" SET \"fullName\" = 'Ada Lovelace', \"SSN\" = 'ssn-new' WHERE \"customerId\" = 4");
            await().alias("an update of a mixed-case table applied").atMost(Duration.ofMinutes(1))
                    .until(() -> String.valueOf(p.redis.hget(p.row("customers", "4"), "d")).contains("Ada Lovelace"));
            assertThat(p.redis.hget(p.row("customers", "4"), "d")).doesNotContain("ssn-new");

            HttpResponse<String> list = p.get("/v1/customers?Status=active");
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(list.body()).contains("Ada Lovelace").doesNotContain("\"Status\":\"closed\"", "ssn-");
            assertThat(p.get("/v1/customers/search?q=lovelace").body()).contains("\"customerId\":4");
            assertThat(p.get("/v1/orders?customerId=5").body()).contains("\"orderId\":4", "\"orderId\":16");

            p.sql("INSERT INTO public.\"Order\" VALUES (100, 4, 99.99)");
            // the root's change and the order's come from two topics, composed in no order relative to each other
            await().alias("the view document of customer 4 with its new name and its new order").atMost(Duration.ofMinutes(1))
                    .until(() -> String.valueOf(p.redis.hget(p.row("customer_pages", "4"), "d")).contains("\"orderId\":100")
                            && String.valueOf(p.redis.hget(p.row("customer_pages", "4"), "d")).contains("Ada Lovelace"));
            String page = p.get("/v1/customer_pages/4").body();
            assertThat(page).contains("\"fullName\":\"Ada Lovelace\"", "\"Total\":\"99.99\"").doesNotContain("SSN");

            p.sql("DELETE FROM public.\"Customer\" WHERE \"customerId\" = 7");
            await().alias("a delete").atMost(Duration.ofMinutes(1)).until(() -> p.redis.hget(p.row("customers", "7"), "d") == null);
            assertThat(p.get("/v1/customers/7").statusCode()).isEqualTo(404);

            p.redis.del(p.row("customers", "2"));
            HttpResponse<String> resync = Pipeline.HTTP.send(HttpRequest.newBuilder(URI.create(p.api.adminUrl() + "/admin/resync/customers"))
                    .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(resync.statusCode()).as(resync.body()).isEqualTo(202);
            await().alias("the incremental snapshot of a resync re-reads the mixed-case table").atMost(Duration.ofMinutes(1))
                    .until(() -> "cdc".equals(p.redis.hget(p.row("customers", "2"), "o")));

            java.util.List<String> events = new java.util.ArrayList<>();
            io.cachesync.core.topics.SmallTopics.readToEnd(Map.of("bootstrap.servers", p.stack.kafka().bootstrapServers()),
                    io.cachesync.core.topics.TopicNames.DEFAULT.cdc("public", "Customer"), "quoted-reader",
                    r -> events.add(r.value() == null ? "" : new String(r.value(), java.nio.charset.StandardCharsets.UTF_8)));
            assertThat(events).as("the table's topic").hasSizeGreaterThan(CUSTOMERS);
            assertThat(events).as("the sensitive column is left out at the source").noneMatch(e -> e.contains("ssn-") || e.contains("SSN"));
            assertThat(p.drainAndVerify("customers").checked()).isEqualTo(CUSTOMERS - 1);
            assertThat(p.drainAndVerify("orders").checked()).isEqualTo(ORDERS + 1);
            assertThat(p.drainAndVerify("customer_pages").checked()).isEqualTo(CUSTOMERS - 1);
        }
    }
}
