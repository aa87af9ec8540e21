package io.cachesync.sync.topology;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.catalog.ViewDefinition;
import io.cachesync.core.consistency.SourceEpoch;
import io.cachesync.sync.envelope.CacheMutation;
import io.cachesync.sync.envelope.CommitOrderVersion;
import io.cachesync.sync.redis.SyncStats;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import java.nio.charset.StandardCharsets;

/**
 * Writes each new combination of a view's parts to Redis through the task's {@link RedisBatchStore} (the same versioned,
 * fenced, batched apply as rows).
 *
 * <p><b>The version of a view document</b> is {@code epoch (4 hex) | incarnation (16 hex) | sequence (16 hex)}, 36 hex
 * digits like a row's: the source epoch of the newest part, the token of the task's fence this owner took when it was
 * given the task ({@code generation.lua}: larger than every token taken before, by any owner), and a counter this owner
 * raises with every document it emits. One view key is always written by the one task that owns its partition, in the
 * order it processes the key's combinations; so within an owner every document is newer than the one before, and every
 * document of a later owner newer than all of an earlier one's — monotonic per key, whatever the order in which the
 * parts' topics were read. The newest parts' versions cannot serve: a combination loses parts (a reference moving away,
 * a child deleted), so their maximum can fall while the document gets newer.
 */
final class ViewApplyProcessor implements Processor<String, JsonNode, Void, Void> {
    private final EntityCatalog catalog;
    private final ViewDefinition view;
    private final EntityDefinition served;
    private final SyncStats stats;
    private final String storeName;
    private final Batching batching;
    private final int maxValueBytes;
    private RedisBatchStore batch;
    private long sequence;
    private String epoch = SourceEpoch.hex(0);

    ViewApplyProcessor(EntityCatalog catalog, ViewDefinition view, SyncStats stats, String storeName, Batching batching, int maxValueBytes) {
        this.catalog = catalog;
        this.view = view;
        this.served = catalog.byName(view.name()).orElseThrow();
        this.stats = stats;
        this.storeName = storeName;
        this.batching = batching;
        this.maxValueBytes = maxValueBytes;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.batch = context.getStateStore(storeName);
        context.schedule(batching.linger(), PunctuationType.WALL_CLOCK_TIME, t -> batch.sendIfFree());
    }

    @Override
    public void process(Record<String, JsonNode> record) {
        JsonNode row = record.value();
        if (row != null) {
            String partEpoch = CommitOrderVersion.epochOf(row.path("v").asText(""));
            if (partEpoch != null && partEpoch.compareTo(epoch) > 0) {
                epoch = partEpoch;
            }
        }
        String version = epoch + hex16(batch.incarnation()) + hex16(++sequence);
        CacheMutation m;
        if (row == null) {
            m = new CacheMutation(served, record.key(), CacheMutation.Op.DELETE, version, null, 0, false);
        } else {
            String doc = ViewValues.document(catalog, view, row);
            if (doc != null && doc.getBytes(StandardCharsets.UTF_8).length > maxValueBytes) {
                doc = null;
            }
            m = new CacheMutation(served, record.key(), CacheMutation.Op.UPSERT, version, doc, 0, false);
            if (doc == null) {
                stats.invalidated();
                m = m.asInvalidation();
            }
        }
        batch.add(m);
        if (batch.size() >= batching.size()) {
            batch.send();
        }
    }

    private static String hex16(long v) {
        String h = Long.toHexString(v);
        return "0".repeat(16 - h.length()) + h;
    }
}
