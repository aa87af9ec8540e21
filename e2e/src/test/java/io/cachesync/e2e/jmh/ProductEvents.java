package io.cachesync.e2e.jmh;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.config.Settings;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Debezium 3.x PostgreSQL change events for {@code public.products} as cdc-ingest publishes them: JsonConverter with
 * {@code schemas.enable=true}, {@code decimal.handling.mode=string}, REPLICA IDENTITY FULL (updates carry the before
 * image), written compactly as the converter does.
 */
final class ProductEvents {
    static final String TOPIC = "cachesync.public.products";

    private ProductEvents() {
    }

    private static final String ROW_SCHEMA = """
            {"type":"struct","fields":[
              {"type":"int64","optional":false,"field":"id"},
              {"type":"string","optional":false,"field":"name"},
              {"type":"string","optional":true,"field":"category"},
              {"type":"string","optional":true,"field":"price"},
              {"type":"string","optional":false,"name":"io.debezium.time.ZonedTimestamp","version":1,"default":"1970-01-01T00:00:00Z","field":"updated_at"}],
             "optional":true,"name":"cachesync.public.products.Value","field":"%s"}""";

    private static final String SCHEMA = """
            {"type":"struct","fields":[%s,%s,
              {"type":"struct","fields":[
                {"type":"string","optional":false,"field":"version"},{"type":"string","optional":false,"field":"connector"},
                {"type":"string","optional":false,"field":"name"},{"type":"int64","optional":false,"field":"ts_ms"},
                {"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,"parameters":{"allowed":"true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"},"default":"false","field":"snapshot"},
                {"type":"string","optional":false,"field":"db"},{"type":"string","optional":true,"field":"sequence"},
                {"type":"int64","optional":true,"field":"ts_us"},{"type":"int64","optional":true,"field":"ts_ns"},
                {"type":"string","optional":false,"field":"schema"},{"type":"string","optional":false,"field":"table"},
                {"type":"int64","optional":true,"field":"txId"},{"type":"int64","optional":true,"field":"lsn"},{"type":"int64","optional":true,"field":"xmin"}],
               "optional":false,"name":"io.debezium.connector.postgresql.Source","version":1,"field":"source"},
              {"type":"struct","fields":[
                {"type":"string","optional":false,"field":"id"},{"type":"int64","optional":false,"field":"total_order"},
                {"type":"int64","optional":false,"field":"data_collection_order"}],
               "optional":true,"name":"event.block","version":1,"field":"transaction"},
              {"type":"string","optional":false,"field":"op"},{"type":"int64","optional":true,"field":"ts_ms"},
              {"type":"int64","optional":true,"field":"ts_us"},{"type":"int64","optional":true,"field":"ts_ns"}],
             "optional":false,"name":"cachesync.public.products.Envelope","version":2}"""
            .formatted(ROW_SCHEMA.formatted("before"), ROW_SCHEMA.formatted("after"));

    static String row(long id, String name, String category, String price) {
        return """
                {"id":%d,"name":"%s","category":"%s","price":"%s","updated_at":"2026-11-26T10:15:30.123456Z"}"""
                .formatted(id, name, category, price);
    }

    /** An event with op c/u/r/d; {@code before}/{@code after} are row JSON or null. */
    static byte[] event(String op, String before, String after, long lsn) {
        long tsMs = 1_764_150_930_123L;
        String payload = """
                {"before":%s,"after":%s,
                 "source":{"version":"3.6.1.Final","connector":"postgresql","name":"cachesync","ts_ms":%d,"snapshot":"false",
                  "db":"shop","sequence":"[\\"%d\\",\\"%d\\"]","ts_us":%d,"ts_ns":%d,"schema":"public","table":"products",
                  "txId":771,"lsn":%d,"xmin":null},
                 "transaction":null,"op":"%s","ts_ms":%d,"ts_us":%d,"ts_ns":%d}"""
                .formatted(before, after, tsMs, lsn - 88, lsn, tsMs * 1_000, tsMs * 1_000_000, lsn, op, tsMs + 3,
                        (tsMs + 3) * 1_000, (tsMs + 3) * 1_000_000);
        return compact("{\"schema\":" + SCHEMA + ",\"payload\":" + payload + "}");
    }

    /** An update of product 42 that moves it from one category to another. */
    static byte[] update() {
        return event("u", row(42, "Espresso machine", "kitchen", "249.90"), row(42, "Espresso machine", "coffee", "229.90"),
                24_023_128L);
    }

    static byte[] delete() {
        return event("d", row(42, "Espresso machine", "coffee", "229.90"), null, 24_023_216L);
    }

    /** The catalog with {@code products}; {@code lists} names its list indexes (may be empty). */
    static EntityCatalog catalog(String lists) {
        Map<String, String> s = new HashMap<>(Map.of("entities", "products", "entities.products.table", "public.products",
                "entities.products.key", "id"));
        if (!lists.isEmpty()) {
            s.put("entities.products.lists", lists);
        }
        List<String> problems = new ArrayList<>();
        EntityCatalog catalog = EntityCatalog.from(Settings.of(s), problems);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("benchmark catalog: " + problems);
        }
        return catalog;
    }

    static EntityDefinition products(EntityCatalog catalog) {
        return catalog.byName("products").orElseThrow();
    }

    static JsonNode tree(byte[] json) {
        try {
            return ValueCodec.mapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("benchmark event is not JSON", e);
        }
    }

    private static byte[] compact(String json) {
        try {
            return ValueCodec.mapper().writeValueAsBytes(ValueCodec.mapper().readTree(json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("benchmark event is not JSON", e);
        }
    }
}
