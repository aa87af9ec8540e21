package io.cachesync.sync.topology;

import io.cachesync.core.topics.TopicNames;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.config.Settings;
import io.cachesync.core.consistency.SourceEpoch;
import io.cachesync.core.keys.CacheKeys;
import io.cachesync.core.redis.CacheStore;
import io.cachesync.core.redis.RedisConnections;
import io.cachesync.core.testkit.ChangeEvents;
import io.cachesync.core.testkit.ConnectType;
import io.cachesync.core.topics.Topics;
import io.cachesync.devstack.DevRedis;
import io.cachesync.sync.UserEvents;
import io.cachesync.sync.envelope.SchemaSource;
import io.cachesync.sync.recovery.SourceFloor;
import io.cachesync.sync.redis.RedisMutationApplier;
import io.cachesync.sync.redis.SyncStats;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The topology main runs ({@link SyncTopology#build}), driven by TopologyTestDriver against a real redis-server. */
class SyncTopologyTest {
    static DevRedis redisServer;
    static RedisClient redis;

    final EntityCatalog catalog = EntityCatalog.from(Settings.of(Map.of(
            "entities", "users,accounts", "entities.users.sensitive", "password_hash",
            "entities.accounts.source", "commands", "entities.accounts.sensitive", "password_hash")), new ArrayList<>());
    SyncStats stats;
    TopologyTestDriver driver;
    TestInputTopic<byte[], byte[]> users;
    TestOutputTopic<byte[], byte[]> dlq;
    TestInputTopic<byte[], byte[]> commands;
    TestInputTopic<byte[], byte[]> epochs;
    SourceFloor sourceFloor;

    @BeforeAll
    static void startRedis() throws Exception {
        redisServer = DevRedis.start(Files.createTempDirectory("topology-redis"));
        redis = RedisConnections.client(URI.create(redisServer.url()), 4, Duration.ofSeconds(2));
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
        redisServer.close();
    }

    @BeforeEach
    void setUp() {
        redis.flushAll();
        stats = new SyncStats();
        sourceFloor = new SourceFloor(catalog, new CacheStore(redis), new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        RedisMutationApplier applier = new RedisMutationApplier(new CacheStore(redis), stats, Clock.systemUTC(), Duration.ofSeconds(1),
                io.cachesync.sync.redis.RefusedWrites.FAIL, sourceFloor::captured);
        // batched as in production: the driver commits (and so flushes the batch store) after every record
        Topology topology = SyncTopology.build(TopicNames.DEFAULT, catalog, applier, stats, MutationListener.NONE, SyncTopology.DEFAULT_MAX_VALUE_BYTES, e -> { },
                Batching.DEFAULT, sourceFloor::announced, SchemaSource.NONE);
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(topology, p);
        users = driver.createInputTopic("cachesync.public.users", new ByteArraySerializer(), new ByteArraySerializer());
        commands = driver.createInputTopic(TopicNames.DEFAULT.commands(), new ByteArraySerializer(), new ByteArraySerializer());
        dlq = driver.createOutputTopic(TopicNames.DEFAULT.dlq(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        epochs = driver.createInputTopic(TopicNames.DEFAULT.sourceEpochs(), new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
        sourceFloor.close();
    }

    @Test
    void topologyNamesEveryNode() {
        String d = SyncTopology.build(catalog, null, stats, MutationListener.NONE).describe().toString();
        assertThat(d).contains(SyncNames.CDC_SOURCE, SyncNames.APPLY, SyncNames.COMMANDS_SOURCE, SyncNames.APPLY_COMMAND, SyncNames.DLQ_SINK,
                SyncNames.CDC_BATCH_STORE, SyncNames.COMMANDS_BATCH_STORE, SyncNames.SOURCE_EPOCHS_SOURCE, SyncNames.RAISE_SOURCE_FLOOR)
                .doesNotContain("KSTREAM-");
    }

    @Test
    void upsertIsWrittenWithItsVersionAndWithoutSensitiveColumns() {
        users.pipeInput("k".getBytes(), UserEvents.upsert(1, "Ada", 1000));
        assertThat(redis.hget("cs:users:1", "v")).isEqualTo(UserEvents.version(1000));
        assertThat(redis.hget("cs:users:1", "d")).contains("\"name\":\"Ada\"").doesNotContain("password_hash");
        assertThat(redis.pttl("cs:users:1")).isPositive();
        assertThat(stats.applied()).isEqualTo(1);
    }

    @Test
    void anImageWithoutAnUntouchedToastedColumnIsNeverCachedItsRowIsInvalidated() {
        users.pipeInput(UserEvents.upsert(5, "Ada", 1000));
        assertThat(redis.hget("cs:users:5", "d")).contains("Ada");
        // REPLICA IDENTITY DEFAULT: the update left the (large) email column alone, so the event does not carry it
        String withoutEmail = UserEvents.row(5, "Ada renamed").replace("u5@example.com", io.cachesync.core.topics.Topics.UNAVAILABLE_VALUE);
        users.pipeInput(UserEvents.USERS.update(null, withoutEmail).lastCommit(2000L).lsn(2000L).bytes());
        assertThat(redis.hgetAll("cs:users:5")).as("invalidated: only its version is left, the next read fills it whole").containsOnlyKeys("v");
        assertThat(stats.invalidatedCount()).isEqualTo(1);
        // a replay (in order, as Kafka redelivers a partition) ends the same way
        users.pipeInput(UserEvents.upsert(5, "Ada", 1000));
        assertThat(redis.hgetAll("cs:users:5")).as("the older change replayed after the invalidation is skipped").containsOnlyKeys("v");
        users.pipeInput(UserEvents.USERS.update(null, withoutEmail).lastCommit(2000L).lsn(2000L).bytes());
        assertThat(redis.hgetAll("cs:users:5")).containsOnlyKeys("v");
        // nor is the placeholder cached when it is the bytes of a bytea column (base64) or an element of an array
        String base64 = java.util.Base64.getEncoder().encodeToString(io.cachesync.core.topics.Topics.UNAVAILABLE_VALUE.getBytes(StandardCharsets.UTF_8));
        users.pipeInput(UserEvents.USERS.update(null, UserEvents.row(6, "Bo").replace("u6@example.com", base64)).lastCommit(3000L)
                .lsn(3000L).bytes());
        users.pipeInput(UserEvents.USERS.update(null, UserEvents.row(7, "Cy").replace("\"u7@example.com\"",
                "[\"" + io.cachesync.core.topics.Topics.UNAVAILABLE_VALUE + "\"]")).lastCommit(3001L).lsn(3001L).bytes());
        assertThat(redis.hgetAll("cs:users:6")).containsOnlyKeys("v");
        assertThat(redis.hgetAll("cs:users:7")).containsOnlyKeys("v");
        assertThat(stats.invalidatedCount()).isEqualTo(4);
    }

    @Test
    void replayOfAnOlderEventNeverOverwritesANewerOne() {
        users.pipeInput(UserEvents.upsert(2, "new", 2000));
        users.pipeInput(UserEvents.upsert(2, "old", 1500));
        users.pipeInput(UserEvents.upsert(2, "new", 2000));
        assertThat(redis.hget("cs:users:2", "d")).contains("\"name\":\"new\"");
        assertThat(redis.hget("cs:users:2", "v")).isEqualTo(UserEvents.version(2000));
        assertThat(stats.stale()).isEqualTo(2);
    }

    @Test
    void deleteLeavesATombstoneThatALateOlderUpsertCannotResurrect() {
        users.pipeInput(UserEvents.upsert(3, "alive", 10));
        users.pipeInput(UserEvents.delete(3, 20));
        users.pipeInput(UserEvents.upsert(3, "zombie", 15));
        assertThat(redis.hget("cs:users:3", "x")).isEqualTo("1");
        assertThat(redis.hget("cs:users:3", "d")).isNull();
        assertThat(redis.pttl("cs:users:3")).isBetween(1L, 60_000L);
        assertThat(stats.tombstoned()).isEqualTo(1);
    }

    @Test
    void aTruncateDeletesEveryOlderRowOfItsTableAndNoLaterOneAndAReplayedOlderChangeCannotResurrectOne() {
        users.pipeInput(UserEvents.upsert(1, "before", 1000));
        users.pipeInput(UserEvents.upsert(2, "before", 1100));
        redis.hset("cs:users:9", Map.of("v", "0", "d", "{\"id\":9}", "o", "fill"));   // a read filled it before the truncate
        redis.set("cs:_gen:users:name=before", "5");                                      // a list page's generation
        redis.zadd("cs:_popular:users", 1, "1");                                           // helper keys are no rows
        // TRUNCATE at 2000; row 3 written by a later transaction that a faster partition applied first
        users.pipeInput(UserEvents.upsert(3, "after", 3000));
        users.pipeInput(null, UserEvents.USERS.change("t", null, null).lastCommit(2000L).lsn(2000L).bytes());
        for (String id : List.of("1", "2", "9")) {
            assertThat(redis.hget("cs:users:" + id, "x")).as("row " + id + " deleted at the truncate").isEqualTo("1");
            assertThat(redis.hget("cs:users:" + id, "v")).isEqualTo(UserEvents.version(2000));
        }
        assertThat(redis.hget("cs:users:3", "d")).as("a later row stays").contains("after");
        assertThat(redis.get("cs:_gen:users:name=before")).as("every list page dropped").isEqualTo("6");
        assertThat(redis.zcard("cs:_popular:users")).isEqualTo(1);
        users.pipeInput(UserEvents.upsert(2, "before", 1100));   // replayed after a restart
        assertThat(redis.hget("cs:users:2", "d")).isNull();
        users.pipeInput(UserEvents.upsert(1, "reinserted", 2500));
        assertThat(redis.hget("cs:users:1", "d")).contains("reinserted");
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void malformedRecordGoesToTheDlqWithItsReasonAndLaterRecordsStillApply() {
        users.pipeInput("bad".getBytes(), "{not json".getBytes(StandardCharsets.UTF_8));
        users.pipeInput(UserEvents.upsert(4, "after-poison", 30));
        TestRecord<byte[], byte[]> dead = dlq.readRecord();
        assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("{not json");
        assertThat(new String(dead.headers().lastHeader(Topics.DLQ_REASON_HEADER).value(), StandardCharsets.UTF_8))
                .startsWith("value is not JSON");
        assertThat(new String(dead.headers().lastHeader(Topics.DLQ_SOURCE_TOPIC_HEADER).value(), StandardCharsets.UTF_8))
                .isEqualTo("cachesync.public.users");
        assertThat(dlq.isEmpty()).isTrue();
        assertThat(redis.hget("cs:users:4", "d")).contains("after-poison");
        assertThat(stats.deadLetteredCount()).isEqualTo(1);
    }

    static byte[] command(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] key(String k) {
        return k.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void commandsApplyThroughTheSameVersionedPath() {
        commands.pipeInput(key("accounts:77"), command("{\"entity\":\"accounts\",\"id\":\"77\",\"op\":\"upsert\",\"version\":5,"
                + "\"data\":{\"name\":\"Lin\",\"password_hash\":\"x\",\"id\":77}}"));
        commands.pipeInput(key("accounts:77"), command("{\"entity\":\"accounts\",\"id\":77,\"op\":\"upsert\",\"version\":\"4\",\"data\":{\"name\":\"older\"}}"));
        assertThat(redis.hget("cs:accounts:77", "d")).isEqualTo("{\"id\":77,\"name\":\"Lin\"}");
        assertThat(redis.hget("cs:accounts:77", "v")).isEqualTo("5");
        commands.pipeInput(key("accounts:77"), command("{\"entity\":\"accounts\",\"id\":77,\"op\":\"delete\",\"version\":6}"));
        assertThat(redis.hget("cs:accounts:77", "x")).isEqualTo("1");
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void commandWithoutANumericVersionIsDeadLettered() {
        commands.pipeInput(key("accounts:1"), command("{\"entity\":\"accounts\",\"id\":1,\"op\":\"upsert\",\"data\":{}}"));
        commands.pipeInput(key("accounts:1"), command("{\"entity\":\"accounts\",\"id\":1,\"op\":\"upsert\",\"version\":\"v7\",\"data\":{}}"));
        commands.pipeInput(key("accounts:1"), command("{\"entity\":\"accounts\",\"id\":1,\"op\":\"upsert\",\"version\":1.5,\"data\":{}}"));
        commands.pipeInput(key("accounts:1"), command("{\"entity\":\"accounts\",\"id\":1,\"op\":\"upsert\",\"version\":9,\"data\":{\"name\":\"ok\"}}"));
        List<String> reasons = dlq.readRecordsToList().stream()
                .map(r -> new String(r.headers().lastHeader(Topics.DLQ_REASON_HEADER).value(), StandardCharsets.UTF_8)).toList();
        assertThat(reasons).hasSize(3);
        assertThat(reasons.get(0)).contains("command has no version");
        assertThat(reasons.get(1)).contains("command version is not an integer");
        assertThat(reasons.get(2)).contains("command version is not an integer");
        assertThat(redis.hget("cs:accounts:1", "d")).contains("ok");
    }

    @Test
    void theFloorCannotBeBypassedByCommandsOfTheWrongKeyOrSource() {
        users.pipeInput(UserEvents.upsert(40, "from cdc", 1000));
        // a command for a CDC-fed entity, even with a huge version: refused, the row keeps its CDC version
        commands.pipeInput(key("users:40"), command("{\"entity\":\"users\",\"id\":40,\"op\":\"upsert\",\"version\":\"9999999999999999999999999999999999999999\",\"data\":{\"name\":\"pinned\"}}"));
        // a command keyed by something else than <entity>:<id> (it could sit in another partition than the row's others)
        commands.pipeInput(key("77"), command("{\"entity\":\"accounts\",\"id\":78,\"op\":\"upsert\",\"version\":1,\"data\":{}}"));
        commands.pipeInput(null, command("{\"entity\":\"accounts\",\"id\":78,\"op\":\"upsert\",\"version\":1,\"data\":{}}"));
        commands.pipeInput(key("accounts:079"), command("{\"entity\":\"accounts\",\"id\":79,\"op\":\"upsert\",\"version\":1,\"data\":{\"name\":\"canonical key\"}}"));

        List<String> reasons = dlq.readRecordsToList().stream()
                .map(r -> new String(r.headers().lastHeader(Topics.DLQ_REASON_HEADER).value(), StandardCharsets.UTF_8)).toList();
        assertThat(reasons).hasSize(3);
        assertThat(reasons.get(0)).contains("entity 'users' is fed by CDC: commands for it are refused");
        assertThat(reasons.get(1)).contains("is keyed '77': commands must be keyed <entity>:<id> ('accounts:78')");
        assertThat(reasons.get(2)).contains("is keyed null");
        assertThat(redis.hget("cs:users:40", "d")).contains("from cdc");
        assertThat(redis.hget("cs:users:40", "v")).isEqualTo(UserEvents.version(1000));
        assertThat(redis.exists("cs:accounts:78")).isFalse();
        assertThat(redis.hget("cs:accounts:79", "d")).contains("canonical key");
        assertThat(SyncTopology.cdcTopics(TopicNames.DEFAULT, catalog)).as("the CDC topic of a commands-fed entity is not even read")
                .containsExactly("cachesync.public.users");
    }

    @Test
    void aChangeLargerThanTheLimitInvalidatesItsRowAndALargeCommandIsDeadLettered() {
        driver.close();
        RedisMutationApplier applier = new RedisMutationApplier(new CacheStore(redis), stats, Clock.systemUTC(), Duration.ofSeconds(1));
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test-size");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(SyncTopology.build(TopicNames.DEFAULT, catalog, applier, stats, MutationListener.NONE, 8192, e -> { }, Batching.DEFAULT, e -> { }, SchemaSource.NONE), p);
        users = driver.createInputTopic("cachesync.public.users", new ByteArraySerializer(), new ByteArraySerializer());
        commands = driver.createInputTopic(TopicNames.DEFAULT.commands(), new ByteArraySerializer(), new ByteArraySerializer());
        dlq = driver.createOutputTopic(TopicNames.DEFAULT.dlq(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        users.pipeInput(UserEvents.upsert(5, "small", 10));
        assertThat(redis.hget("cs:users:5", "d")).contains("small");

        users.pipeInput(UserEvents.upsert(5, "x".repeat(10_000), 11));
        assertThat(redis.hgetAll("cs:users:5")).as("invalidated: only its version is left, the next read fills it from PostgreSQL")
                .containsOnlyKeys("v");
        assertThat(stats.invalidatedCount()).isEqualTo(1);
        users.pipeInput(UserEvents.upsert(5, "x".repeat(10_000), 9));
        users.pipeInput(UserEvents.upsert(6, "small", 12));
        assertThat(redis.hget("cs:users:6", "d")).contains("small");
        assertThat(dlq.isEmpty()).isTrue();

        // cdc-ingest's too-large change: op, source and key only
        users.pipeInput(UserEvents.upsert(6, "small again", 13));
        users.pipeInput(("{\"op\":\"u\",\"source\":{\"lsn\":14},\"after\":{\"id\":6},\"" + Topics.TOO_LARGE_FIELD
                + "\":{\"bytes\":9000000}}").getBytes(StandardCharsets.UTF_8));
        assertThat(redis.hgetAll("cs:users:6")).containsOnlyKeys("v");

        byte[] bigCommand = ("{\"entity\":\"accounts\",\"id\":\"1\",\"op\":\"upsert\",\"version\":1,\"data\":{\"plan\":\""
                + "x".repeat(10_000) + "\"}}").getBytes(StandardCharsets.UTF_8);
        commands.pipeInput("accounts:1".getBytes(StandardCharsets.UTF_8), bigCommand);
        assertThat(new String(dlq.readRecord().headers().lastHeader(Topics.DLQ_REASON_HEADER).value(), StandardCharsets.UTF_8))
                .startsWith("value is " + bigCommand.length + " bytes, more than sync.max-value-bytes (8192)");
    }

    @Test
    void aChangeOfColumnsIsReportedOnce() {
        driver.close();
        List<String> changed = new java.util.concurrent.CopyOnWriteArrayList<>();
        RedisMutationApplier applier = new RedisMutationApplier(new CacheStore(redis), stats, Clock.systemUTC(), Duration.ofSeconds(1));
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test-schema");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(SyncTopology.build(TopicNames.DEFAULT, catalog, applier, stats, MutationListener.NONE, 1 << 20,
                e -> changed.add(e.name()), Batching.DEFAULT, e -> { }, SchemaSource.NONE), p);
        users = driver.createInputTopic("cachesync.public.users", new ByteArraySerializer(), new ByteArraySerializer());
        users.pipeInput(UserEvents.upsert(7, "a", 10));
        users.pipeInput(UserEvents.upsert(7, "b", 11));
        assertThat(changed).isEmpty();
        byte[] withNewColumn = UserEvents.USERS.optionalColumn("nickname", ConnectType.STRING)
                .update(UserEvents.row(7, "b"), UserEvents.row(7, "c")).lsn(12L).bytes();
        users.pipeInput(withNewColumn);
        users.pipeInput(withNewColumn);
        assertThat(changed).containsExactly("users");
        // ALTER COLUMN created_at TYPE text: the same names, each value now written another way
        byte[] retyped = ChangeEvents.table("public.users").key("id", ConnectType.INT64).column("name", ConnectType.STRING)
                .column("email", ConnectType.STRING).column("password_hash", ConnectType.STRING).column("created_at", ConnectType.STRING)
                .optionalColumn("nickname", ConnectType.STRING).update(null, UserEvents.row(7, "d")).lsn(13L).bytes();
        users.pipeInput(retyped);
        users.pipeInput(retyped);
        assertThat(changed).containsExactly("users", "users");
    }

    @Test
    void aNewSourceEpochPurgesTheRowsOfOlderEpochsAndSkipsTheirLateChanges() {
        users.pipeInput(UserEvents.upsert(1, "Ada", 5000));
        users.pipeInput(UserEvents.upsert(2, "Bob", 5001));
        epochs.pipeInput(new SourceEpoch(0, "7000000000000000001", 1, Instant.now()).toJson());
        assertThat(redis.hgetAll(CacheKeys.SOURCE)).as("the first epoch seen: nothing to purge").containsEntry("e", "0000").containsEntry("p", "0000");
        assertThat(redis.exists("cs:users:1")).isTrue();

        // the database was restored to a point in time: timeline 2, WAL positions lower than those already applied
        epochs.pipeInput(new SourceEpoch(1, "7000000000000000001", 2, Instant.now()).toJson());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(redis.exists("cs:users:2")).as("first pass").isFalse());
        // a read filled before the new epoch's capture began, of a row the database then deletes with no event to say so
        CacheStore store = new CacheStore(redis);
        assertThat(store.lease("cs:users:7", "t", Duration.ofSeconds(2)).kind()).isEqualTo(io.cachesync.core.redis.LeaseOutcome.Kind.LEASED);
        assertThat(store.fill("cs:users:7", "t", "{\"id\":7}", Duration.ofMinutes(5))).isTrue();
        assertThat(redis.hget(CacheKeys.SOURCE, "p")).as("not settled before a change of the new epoch").isEqualTo("0000");
        users.pipeInput(new TestRecord<>(null, UserEvents.upsert(1, "Ada as restored", 100), epochHeader(1)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(redis.hget(CacheKeys.SOURCE, "p")).isEqualTo("0001"));
        assertThat(redis.hget("cs:users:1", "d")).as("a change of the new epoch, at a lower position, wins").contains("Ada as restored");
        assertThat(redis.hget("cs:users:1", "v")).startsWith("0001");
        assertThat(redis.exists("cs:users:2")).as("a row of the old epoch is purged").isFalse();
        assertThat(redis.exists("cs:users:7")).as("a fill from before the new epoch's capture began is purged").isFalse();

        // a change of the old epoch still in flight is skipped, even where the purge left no row to compare with
        users.pipeInput(UserEvents.upsert(2, "late, from the old database", 9000));
        users.pipeInput(new TestRecord<>(null, UserEvents.upsert(3, "Cy", 101), epochHeader(1)));
        assertThat(redis.exists("cs:users:2")).isFalse();
        assertThat(redis.hget("cs:users:3", "d")).contains("Cy");

        // a malformed epoch header is a poison record, with the reason
        users.pipeInput(new TestRecord<>(null, UserEvents.upsert(4, "Di", 102), new RecordHeaders().add(Topics.SOURCE_EPOCH_HEADER,
                "one".getBytes(StandardCharsets.UTF_8))));
        assertThat(new String(dlq.readRecord().headers().lastHeader(Topics.DLQ_REASON_HEADER).value(), StandardCharsets.UTF_8))
                .contains(Topics.SOURCE_EPOCH_HEADER, "'one'");
    }

    private static org.apache.kafka.common.header.Headers epochHeader(int epoch) {
        return new RecordHeaders().add(Topics.SOURCE_EPOCH_HEADER, Integer.toString(epoch).getBytes(StandardCharsets.UTF_8));
    }
}
