package io.cachesync.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.config.Settings;
import io.cachesync.core.keys.KeyLayout;
import io.cachesync.core.redis.RedisConnections;
import io.cachesync.core.topics.TopicProvisioner;
import io.cachesync.core.topics.TopicNames;
import io.cachesync.devstack.DevStack;
import io.cachesync.sync.SyncService;
import io.cachesync.sync.config.SyncConfig;
import io.cachesync.sync.envelope.EnvelopeParser;
import io.cachesync.sync.envelope.SchemaTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import redis.clients.jedis.RedisClient;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Events per second applied to Redis from a pre-filled CDC topic: cache-sync as shipped (versioned Lua applies in one
 * pipeline per batch), a naive sink (one SET per record, the tutorials' sink), and what Redis itself takes (SETs pipelined
 * 16 deep by redis-benchmark).
 *
 * <p>Longer than our ~250-line guide: the three measured sinks share the pre-filled topic and the timing, and are kept
 * together so that they are measured alike. A development tool (devtools), not part of the services.
 */
final class SyncThroughputBench {
    static final String ENTITY = "bench_items";
    static final String TOPIC = TopicNames.DEFAULT.cdc("public", ENTITY);
    /** Keys of the Redis ceiling's SETs (redis-benchmark's {@code -r} and the pipelined loop). */
    private static final int KEYS = 100_000;
    private static final int PARTITIONS = 4;
    private static final int MAX_WARM_UP_PASSES = 4;

    private final DevStack stack;
    private final PrintStream progress;
    private final CpuMeter cpu;

    SyncThroughputBench(DevStack stack, CpuMeter cpu, PrintStream progress) {
        this.stack = stack;
        this.cpu = cpu;
        this.progress = progress;
    }

    /** The entity the bench topic belongs to: a plain key/value row (no list or search index). */
    static Map<String, String> entitySettings() {
        return Map.of("entities", ENTITY, "entities." + ENTITY + ".table", "public." + ENTITY, "entities." + ENTITY + ".key", "id");
    }

    /** @param rows the rows the events update, in turn */
    BenchReport.Sync run(byte[] template, int events, int rows, int naiveSeconds, Map<String, String> settings) throws Exception {
        EnvelopeTemplate t = new EnvelopeTemplate(template);
        Settings s = Settings.of(settings);
        SyncConfig config = SyncConfig.from(s);
        int documentBytes;
        try (SchemaTopic schemas = new SchemaTopic(config.kafkaClientConfig(), config.topics().schemas(), "cachesync-bench")) {
            documentBytes = new EnvelopeParser(config.catalog(), schemas).parse(TOPIC, t.event(1, 1, 1, "item 1 rev 0"))
                    .document().getBytes(StandardCharsets.UTF_8).length;
        }
        createTable();
        fill(t, EnvelopeTemplate.lsnOf(template), events, rows);
        Pass batched = batched(s, events);
        NaiveResult naive = naive(events, naiveSeconds);
        Ceiling ceiling = ceiling(documentBytes);
        return new BenchReport.Sync(batched.eps(), naive.eps(), naive.events(), ceiling.ops(), ceiling.method(), batched.cpu(), naive.cpu());
    }

    /**
     * The bench entity's table, shaped as the products rows its events carry: cache-sync checks every CDC entity against
     * its table at start (its key, its columns' types), although no row of it is ever read here.
     */
    private void createTable() throws SQLException {
        try (Connection c = stack.postgres().connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS public." + ENTITY + " (LIKE public.products INCLUDING ALL)");
        }
    }

    /** Writes {@code events} updates over {@code rows} rows, every event newer than the last for its row. */
    private void fill(EnvelopeTemplate t, long lsnBase, int events, int rows) throws Exception {
        Map<String, Object> admin = Map.of("bootstrap.servers", stack.kafka().bootstrapServers());
        TopicProvisioner.ensure(admin, List.of(TOPIC), PARTITIONS, (short) 1, Map.of(), Duration.ofSeconds(30));
        Map<String, Object> p = new HashMap<>(admin);
        // as cdc-ingest publishes: idempotent, acks=all, lz4
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        long start = System.nanoTime();
        long now = System.currentTimeMillis();
        int size = 0;
        AtomicLong failed = new AtomicLong();
        AtomicReference<Exception> firstFailure = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            // A new topic's partitions may still refuse the first batch (NOT_LEADER_OR_FOLLOWER) while later batches of
            // the same idempotent producer get through; the retried first one is then refused as out of order. So the
            // first events are sent one at a time until every partition has acknowledged one (or every row has had an
            // event: with fewer rows than partitions, some partitions get none): after that no batch can overtake
            // another's retry.
            Set<Integer> primed = new HashSet<>();
            int i = 0;
            for (; i < rows && primed.size() < PARTITIONS; i++) { // rows <= events (BenchCommand)
                ProducerRecord<byte[], byte[]> r = fillRecord(t, lsnBase, now, i, rows);
                size = r.value().length;
                primed.add(producer.send(r).get(2, TimeUnit.MINUTES).partition());
            }
            for (; i < events; i++) {
                ProducerRecord<byte[], byte[]> r = fillRecord(t, lsnBase, now, i, rows);
                size = r.value().length;
                producer.send(r, (metadata, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                        firstFailure.compareAndSet(null, e);
                    }
                });
                if ((i + 1) % 250_000 == 0) {
                    progress.printf("  sync: %,d of %,d events written to %s%n", i + 1, events, TOPIC);
                }
            }
            producer.flush();
        }
        if (failed.get() > 0) {
            // the passes wait for every event; a topic short of some would only show as a timeout minutes later
            throw new IllegalStateException("the pre-fill of " + TOPIC + " lost " + failed.get() + " of " + events
                    + " events: " + firstFailure.get(), firstFailure.get());
        }
        progress.printf("  sync: topic %s pre-filled with %,d events (%,d bytes each, %s) in %.1f s%n",
                TOPIC, events, size, t.compact() ? "compact form: the schema by id" : "schema included", (System.nanoTime() - start) / 1e9);
    }

    /** The {@code i}-th pre-fill event: an update of row {@code i % rows + 1}, newer than every event before it. */
    private static ProducerRecord<byte[], byte[]> fillRecord(EnvelopeTemplate t, long lsnBase, long now, int i, int rows) {
        long id = i % rows + 1;
        return new ProducerRecord<>(TOPIC, EnvelopeTemplate.key(id), t.event(id, lsnBase + 8L * (i + 1), now, "item " + id + " rev " + (i / rows)));
    }

    /**
     * Warm-up passes over the first half of the topic, at most 500,000 events each, until the JIT compiler takes less
     * than {@link CpuMeter#QUIET_JIT_PERCENT} % of a core during one (at most {@link #MAX_WARM_UP_PASSES}); then the measured
     * pass over all of it.
     */
    private Pass batched(Settings s, int events) {
        int warmUp = Math.min(events / 2, 500_000);
        for (int pass = 1; pass <= MAX_WARM_UP_PASSES; pass++) {
            Pass w = batchedPass(s, warmUp, false);
            progress.printf("  sync: batched warm-up pass %d over the first %,d events: %,.0f events/s, JIT compiler %.0f %% of a core%n",
                    pass, warmUp, w.eps(), w.jitPercent());
            if (w.jitPercent() < CpuMeter.QUIET_JIT_PERCENT) {
                break;
            }
        }
        return batchedPass(s, events, true);
    }

    /** Events per second of one pass of cache-sync over the topic, the CPU used meanwhile, and the JIT's share of it. */
    record Pass(double eps, String cpu, double jitPercent) {
    }

    private Pass batchedPass(Settings s, int events, boolean report) {
        flushRedis(stack);
        RedisCommandStats.reset(stack);
        SyncConfig config = SyncConfig.from(s.with(Map.of("sync.application-id", "cachesync-bench-batched-" + System.nanoTime())));
        try (SyncService sync = new SyncService(config).start()) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            long first = 0;
            long firstCount = 0;
            CpuMeter.Sample cpuFrom = null;
            long nextPrint = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (sync.stats().processed() < events) {
                long now = System.nanoTime();
                if (first == 0 && sync.stats().processed() > 0) {
                    first = now;
                    cpuFrom = cpu.sample();
                    firstCount = sync.stats().processed();
                }
                if (now > deadline) {
                    throw new IllegalStateException("cache-sync applied only " + sync.stats().processed() + " of " + events + " events in 5 minutes");
                }
                if (now > nextPrint && report) {
                    progress.printf("  sync: batched %,d of %,d events applied%n", sync.stats().processed(), events);
                    nextPrint += TimeUnit.SECONDS.toNanos(5);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
            double seconds = (System.nanoTime() - first) / 1e9;
            double eps = (sync.stats().processed() - firstCount) / seconds;
            CpuMeter.Sample cpuTo = cpu.sample();
            double jitPercent = cpuFrom == null ? 0 : CpuMeter.jitPercent(cpuFrom, cpuTo);
            String cpuUse = cpuFrom == null ? "" : cpu.between(cpuFrom, cpuTo);
            if (report) {
                progress.printf("  sync: batched: %,d events in %.1f s = %,.0f events/s (%,d dead-lettered); %s%n", events, seconds, eps,
                        sync.stats().deadLetteredCount(), cpuUse);
                // the whole pass, start-up included: where redis-server's time went, per applied event
                progress.printf("  sync: batched: redis-server's commands: %s%n",
                        RedisCommandStats.describe(RedisCommandStats.since(stack), sync.stats().processed(), 6));
            }
            return new Pass(eps, cpuUse, jitPercent);
        }
    }

    record NaiveResult(double eps, long events, String cpu) {
    }

    /**
     * The sink tutorials ship: per record, parse the envelope, then one synchronous SET of the after image (or DEL) —
     * no versions, no pipeline; offsets committed after each poll.
     */
    private NaiveResult naive(int events, int seconds) {
        flushRedis(stack);
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "cachesync-bench-naive-" + System.nanoTime());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        long applied = 0;
        long first = 0;
        CpuMeter.Sample cpuFrom = null;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
             RedisClient redis = redisClient()) {
            consumer.subscribe(List.of(TOPIC));
            long deadline = Long.MAX_VALUE;
            long nextPrint = 0;
            long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (applied < events && System.nanoTime() < deadline) {
                var records = consumer.poll(Duration.ofMillis(100));
                if (records.isEmpty() && first == 0 && System.nanoTime() > giveUp) {
                    throw new IllegalStateException("the naive sink received nothing from " + TOPIC + " in 2 minutes");
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (first == 0) {
                        first = System.nanoTime();
                        cpuFrom = cpu.sample();
                        deadline = first + TimeUnit.SECONDS.toNanos(seconds);
                        nextPrint = first + TimeUnit.SECONDS.toNanos(5);
                    }
                    JsonNode payload = ValueCodec.mapper().readTree(r.value()).path("payload");
                    boolean delete = "d".equals(payload.path("op").asText());
                    JsonNode row = payload.path(delete ? "before" : "after");
                    String key = KeyLayout.STANDALONE.row(ENTITY, row.path("id").asText());
                    if (delete) {
                        redis.del(key);
                    } else {
                        redis.set(key, row.toString());
                    }
                    applied++;
                }
                consumer.commitSync();
                if (first != 0 && System.nanoTime() > nextPrint) {
                    progress.printf("  sync: naive %,d events applied%n", applied);
                    nextPrint += TimeUnit.SECONDS.toNanos(5);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the naive sink read an event that is not JSON: " + e.getMessage(), e);
        }
        double secs = (System.nanoTime() - first) / 1e9;
        double eps = applied / secs;
        String cpuUse = cpuFrom == null ? "" : cpu.since(cpuFrom);
        progress.printf("  sync: naive: %,d events in %.1f s = %,.0f events/s%s; %s%n", applied, secs, eps,
                applied < events ? " (stopped after " + seconds + " s)" : "", cpuUse);
        return new NaiveResult(eps, applied, cpuUse);
    }

    record Ceiling(double ops, String method) {
    }

    /** redis-benchmark -P 16 -t set on the same Redis, values of a cached document's size; a pipelined loop without it. */
    private Ceiling ceiling(int valueBytes) throws IOException, InterruptedException {
        flushRedis(stack);
        List<String> cmd = List.of("redis-benchmark", "-h", "127.0.0.1", "-p", Integer.toString(stack.redis().port()), "-P", "16", "-t", "set",
                "-n", "2000000", "-r", Integer.toString(KEYS), "-d", Integer.toString(valueBytes), "--csv");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor(2, TimeUnit.MINUTES) && p.exitValue() == 0) {
                for (String line : out.split("\\R")) {
                    if (line.startsWith("\"SET\"")) {
                        double ops = Double.parseDouble(line.split(",")[1].replace("\"", ""));
                        progress.printf("  sync: ceiling: redis-benchmark -P 16 -t set: %,.0f SET/s%n", ops);
                        return new Ceiling(ops, "redis-benchmark -P 16 -t set -d " + valueBytes);
                    }
                }
            }
            progress.println("  sync: redis-benchmark gave no SET figure; using a pipelined loop: " + out.strip());
        } catch (IOException e) {
            progress.println("  sync: redis-benchmark is not installed (apt-get install redis-tools); using a pipelined loop");
        }
        return pipelinedLoop(valueBytes);
    }

    private Ceiling pipelinedLoop(int valueBytes) {
        String value = "x".repeat(valueBytes);
        int total = 1_000_000;
        long start = System.nanoTime();
        try (RedisClient redis = redisClient()) {
            for (int done = 0; done < total; ) {
                try (redis.clients.jedis.AbstractPipeline p = redis.pipelined()) {
                    for (int i = 0; i < 1000; i++, done++) {
                        p.set("bench:" + done % KEYS, value);
                    }
                    p.sync();
                }
            }
        }
        double ops = total / ((System.nanoTime() - start) / 1e9);
        progress.printf("  sync: ceiling: pipelined SET loop: %,.0f SET/s%n", ops);
        return new Ceiling(ops, "pipelined SET loop, 1 connection, 1,000 per pipeline");
    }

    private RedisClient redisClient() {
        return redisClient(stack);
    }

    private static RedisClient redisClient(DevStack stack) {
        return RedisConnections.client(URI.create(stack.redis().url()), 2, Duration.ofSeconds(5));
    }

    /** Empties the devstack's Redis, so that each measurement starts from the same state. */
    static void flushRedis(DevStack stack) {
        try (RedisClient redis = redisClient(stack)) {
            redis.flushAll();
        }
    }
}
