package io.cachesync.e2e.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.codec.ValueCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;

/**
 * {@link ValueCodec#fromDebezium} and {@link ValueCodec#encode} on the after image of the {@code public.products}
 * update, already parsed: the document cache-sync writes to Redis.
 */
public class ValueCodecBenchmark extends ShortRun {
    private EntityDefinition products;
    private JsonNode afterSchema;
    private JsonNode after;

    @Setup
    public void setUp() {
        products = ProductEvents.products(ProductEvents.catalog("category"));
        JsonNode root = ProductEvents.tree(ProductEvents.update());
        for (JsonNode field : root.path("schema").path("fields")) {
            if (field.path("field").asText().equals("after")) {
                afterSchema = field;
            }
        }
        after = root.path("payload").path("after");
        String document = fromDebeziumAndEncode();
        if (!document.startsWith("{\"category\":\"coffee\",") || !document.endsWith("\"updated_at\":\"2026-11-26T10:15:30.123456Z\"}")) {
            throw new IllegalStateException("unexpected document from the benchmark row: " + document);
        }
    }

    @Benchmark
    public String fromDebeziumAndEncode() {
        return ValueCodec.encode(ValueCodec.fromDebezium(products, afterSchema, after));
    }
}
