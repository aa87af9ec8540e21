package io.cachesync.e2e.jmh;

import io.cachesync.sync.envelope.CacheMutation;
import io.cachesync.sync.envelope.EnvelopeParser;
import io.cachesync.sync.envelope.PoisonRecordException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;

/**
 * {@link EnvelopeParser#parse} on one Debezium event of {@code public.products} (with its Connect schema): the work
 * cache-sync does per CDC record before it touches Redis.
 */
public class EnvelopeParserBenchmark extends ShortRun {
    private EnvelopeParser withList;
    private EnvelopeParser withoutLists;
    private byte[] update;
    private byte[] delete;

    @Setup
    public void setUp() throws PoisonRecordException {
        withList = new EnvelopeParser(ProductEvents.catalog("category"));
        withoutLists = new EnvelopeParser(ProductEvents.catalog(""));
        update = ProductEvents.update();
        delete = ProductEvents.delete();
        // a broken fixture must fail the run, not measure the error path
        check(withList.parse(ProductEvents.TOPIC, update), CacheMutation.Op.UPSERT, 1);
        check(withoutLists.parse(ProductEvents.TOPIC, update), CacheMutation.Op.UPSERT, 0);
        check(withList.parse(ProductEvents.TOPIC, delete), CacheMutation.Op.DELETE, 1);
    }

    private static void check(CacheMutation m, CacheMutation.Op op, int lists) {
        if (m.op() != op || !m.id().equals("42") || m.listValues().size() != lists) {
            throw new IllegalStateException("unexpected mutation from the benchmark event: " + m);
        }
    }

    /** An update (before and after image) of an entity with a list index on {@code category}. */
    @Benchmark
    public CacheMutation updateWithListIndex() throws PoisonRecordException {
        return withList.parse(ProductEvents.TOPIC, update);
    }

    /** The same update for an entity without list indexes (the before image is not converted). */
    @Benchmark
    public CacheMutation updateWithoutLists() throws PoisonRecordException {
        return withoutLists.parse(ProductEvents.TOPIC, update);
    }

    /** A delete (before image only) of an entity with a list index. */
    @Benchmark
    public CacheMutation deleteWithListIndex() throws PoisonRecordException {
        return withList.parse(ProductEvents.TOPIC, delete);
    }
}
