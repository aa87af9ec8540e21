package io.cachesync.e2e.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.config.Settings;
import io.cachesync.core.testkit.ChangeEvents;
import io.cachesync.core.testkit.ConnectType;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Change events of {@code public.products} as cdc-ingest publishes them (the test kit's {@link ChangeEvents}: Debezium
 * 3.6, JsonConverter with {@code schemas.enable=true}, {@code decimal.handling.mode=string}), with REPLICA IDENTITY
 * FULL (updates carry the before image), and the catalog that reads them.
 */
final class ProductEvents {
    static final String TOPIC = "cachesync.public.products";
    private static final ChangeEvents PRODUCTS = ChangeEvents.table("public.products").key("id", ConnectType.INT64)
            .column("name", ConnectType.STRING).optionalColumn("category", ConnectType.STRING)
            .optionalColumn("price", ConnectType.DECIMAL).column("updated_at", ConnectType.ZONED_TIMESTAMP);

    private ProductEvents() {
    }

    private static String row(String category, String price) {
        return PRODUCTS.row(42, "Espresso machine", category, price, "2026-11-26T10:15:30.123456Z");
    }

    /** An update of product 42 that moves it from one category to another. */
    static byte[] update() {
        return PRODUCTS.update(row("kitchen", "249.90"), row("coffee", "229.90")).lastCommit(24_023_040L).lsn(24_023_128L).bytes();
    }

    static byte[] delete() {
        return PRODUCTS.delete(row("coffee", "229.90")).lastCommit(24_023_128L).lsn(24_023_216L).bytes();
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
}
